import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent, StateMessage } from '#contracts';
import {
  encodeAlert,
  encodeConfig,
  encodeSampleBytes,
  encodeSamples,
  encodeState,
  escapeTag,
  msToMicros,
  quoteString,
} from './line-protocol.js';

/** Splits a line-protocol tag set on unescaped commas and reads back each `key=value`. */
function unescapeTag(escaped: string): string {
  return escaped.replace(/\\([,= \\])/g, '$1');
}

describe('line protocol encoder', () => {
  const ts = Date.UTC(2026, 0, 1) + 0.5;

  it('writes required fields as floats and the timestamp in microseconds', () => {
    expect(encodeSamples([{ rigId: 'r1', cellId: 'c1', ts, v: 3, i: -0.5 }])).toBe(
      `telemetry,cell=c1,rig=r1 v=3,i=-0.5 ${Date.UTC(2026, 0, 1)}500\n`,
    );
  });

  it('writes optional fields only when present, counters as integers', () => {
    const line = encodeSamples([
      { rigId: 'r', cellId: 'c', ts: 1_700_000_000_000.001, v: 1e-7, i: 2, t: 25.5, seq: 7, step: 0 },
    ]);
    expect(line).toBe('telemetry,cell=c,rig=r v=1e-7,i=2,t=25.5,seq=7i,step=0i 1700000000000001\n');
    const full = encodeSamples([
      { rigId: 'r', cellId: 'c', ts: 0, v: 1, i: 1, t: 1, p: 2, seq: 3, cycle: 4, step: 5 },
    ]);
    expect(full).toBe('telemetry,cell=c,rig=r v=1,i=1,t=1,p=2,seq=3i,cycle=4i,step=5i 0\n');
  });

  it('rounds fractional milliseconds to whole microseconds', () => {
    expect(msToMicros(1.0004)).toBe(1000);
    expect(msToMicros(1.0006)).toBe(1001);
    expect(msToMicros(1_767_225_600_000.125)).toBe(1_767_225_600_000_125);
  });

  it('encodes the given range of a batch and switches tag prefix between cells', () => {
    const samples = [
      { rigId: 'r', cellId: 'a', ts: 1, v: 1, i: 1 },
      { rigId: 'r', cellId: 'b', ts: 2, v: 2, i: 2 },
      { rigId: 'r', cellId: 'a', ts: 3, v: 3, i: 3 },
    ];
    expect(encodeSamples(samples, 1, 3)).toBe(
      'telemetry,cell=b,rig=r v=2,i=2 2000\ntelemetry,cell=a,rig=r v=3,i=3 3000\n',
    );
  });

  it('writes the bytes of the text, growing its buffer for long lines and ids outside ASCII', () => {
    const long = 'x'.repeat(64);
    const samples = [
      {
        rigId: long,
        cellId: long,
        ts: 1.5,
        v: -1.2345678901234567,
        i: 1e-300,
        t: 25,
        p: 1,
        seq: 1,
        cycle: 2,
        step: 3,
      },
      { rigId: 'rig-é', cellId: 'zelle-ü,1', ts: 2, v: 2, i: 2 },
      { rigId: 'r', cellId: 'c', ts: 3, v: 3, i: 3 },
    ];
    const bytes = encodeSampleBytes(samples);
    expect(bytes.toString('utf8')).toBe(
      `telemetry,cell=${long},rig=${long} v=-1.2345678901234567,i=1e-300,t=25,p=1,seq=1i,cycle=2i,step=3i 1500\n` +
        'telemetry,cell=zelle-ü\\,1,rig=rig-é v=2,i=2 2000\n' +
        'telemetry,cell=c,rig=r v=3,i=3 3000\n',
    );
  });

  it('writes a long batch of repeating values as each sample alone would be written', () => {
    // Past one chunk of lines, with values that repeat, change, and are -0 or absent.
    const samples = Array.from({ length: 100 }, (_, k) => ({
      rigId: 'rig',
      cellId: `c${k % 3}`,
      ts: 1_700_000_000_000 + k * 0.5,
      v: k % 7 === 0 ? -0 : 3.7 + (k % 5) * 1e-4,
      i: k < 50 ? 0.001 : -0.002,
      ...(k % 4 !== 0 && { t: 25 }),
      ...(k % 9 === 0 && { p: 1.5 }),
      seq: k,
    }));
    const alone = samples.map((s) => encodeSampleBytes([s]).toString('utf8')).join('');
    expect(encodeSampleBytes(samples).toString('utf8')).toBe(alone);
    expect(alone).toContain(' v=0,i=0.001,p=1.5,seq=0i ');
  });

  it('escapes commas, equals signs, spaces and backslashes in tags', () => {
    expect(escapeTag('plain-id_1.2')).toBe('plain-id_1.2');
    expect(escapeTag('a,b=c d\\e')).toBe('a\\,b\\=c\\ d\\\\e');
    expect(escapeTag('two\nlines')).toBe('two\\ lines');
  });

  it('escaped tags never contain an unescaped separator and read back unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('\n')),
        (raw) => {
          const escaped = escapeTag(raw);
          expect(escaped.replace(/\\./g, '')).not.toMatch(/[ ,=]/);
          expect(unescapeTag(escaped)).toBe(raw);
        },
      ),
    );
  });

  it('quotes string fields, escaping double quotes and backslashes only', () => {
    expect(quoteString('ok')).toBe('"ok"');
    expect(quoteString('say "hi" \\ bye, a=b')).toBe('"say \\"hi\\" \\\\ bye, a=b"');
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const quoted = quoteString(raw);
        expect(quoted.slice(1, -1).replace(/\\(["\\])/g, '$1')).toBe(raw);
      }),
    );
  });

  it('encodes a state with its JSON and numeric estimates, skipping null and non-finite ones', () => {
    const state: StateMessage = {
      rigId: 'r',
      cellId: 'c',
      ts: 1000.5,
      v: 4,
      i: 0.5,
      risk: 'warning',
      levels: { 'sand-depletion': 'warning' },
      estimates: { depletionFraction: 0.75, timeToDepletion_s: null, jOverJstar: Number.POSITIVE_INFINITY },
      samples: 3,
      run: 0,
    };
    const line = encodeState(state);
    expect(line.startsWith('cell_state,cell=c,rig=r json="{\\"rigId\\":\\"r\\"')).toBe(true);
    expect(line.endsWith(',risk="warning",v=4,i=0.5,depletionFraction=0.75 1000500\n')).toBe(true);
  });

  it('encodes an alert with its id as a tag at its data time, and a config at the write time', () => {
    const alert: AlertEvent = {
      id: 'al 1',
      ts: 5,
      rigId: 'r',
      cellId: 'c',
      kind: 'soft-short',
      severity: 'critical',
      state: 'raised',
      source: 'physics',
      message: 'm',
      evidence: {},
    };
    const line = encodeAlert(alert);
    expect(line.startsWith('alert,cell=c,id=al\\ 1,kind=soft-short,rig=r json="{')).toBe(true);
    expect(line.endsWith('",state="raised",severity="critical" 5000\n')).toBe(true);
    const config = encodeConfig(
      {
        rigId: 'r',
        cellId: 'c',
        cellType: 'symmetric',
        electrodeArea_cm2: 1,
        electrolyte: { preset: 'lp30' },
        thresholds: {},
      },
      42,
    );
    expect(config).toMatch(/^cell_config,cell=c,rig=r json="\{.*\}" 42000\n$/);
  });
});
