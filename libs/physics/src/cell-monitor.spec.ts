// The library is pure; this spec alone reads a recorded fixture from disk.
// eslint-disable-next-line no-restricted-imports
import { readFileSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports
import { resolve } from 'node:path';
// eslint-disable-next-line no-restricted-imports
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveCellConfig, type CellConfig } from './cell-config.js';
import { CellMonitor, type CellSample, type DetectorEvent, type MonitorResult } from './cell-monitor.js';
import { faraday_C_per_mol } from './constants.js';
import { limitingCurrentDensity_A_m2, sandTime_s } from './sand-time.js';
import { noise } from './short-cells.spec-helpers.js';
import { fixturePresent } from '../../../test/support/fixtures.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const mbPath = resolve(repoRoot, '../shared/fixtures/biologic/mb.mpt');
// 2026-01-05T09:00:00Z, the data time given to the first row.
const start_ms = 1_767_603_600_000;

/**
 * Minimal EC-Lab .mpt reader for this test: latin-1, CRLF, tab separated; line 2 gives the number of
 * header lines, the last of which names the columns. Impedance (PEIS) rows, which carry a frequency,
 * are returned separately.
 */
function readMpt(path: string): { area_cm2: number; galvanostatic: CellSample[]; all: CellSample[] } {
  const lines = readFileSync(path).toString('latin1').split(/\r?\n/);
  const headerLines = Number(/Nb header lines : (\d+)/.exec(lines[1] ?? '')?.[1]);
  const area_cm2 = Number(
    /Electrode surface area : ([\d.]+)/.exec(lines.find((l) => l.includes('surface area')) ?? '')?.[1],
  );
  const columns = (lines[headerLines - 1] ?? '').split('\t');
  const col = (name: string): number => columns.indexOf(name);
  const [time, ewe, current, freq] = [col('time/s'), col('Ewe/V'), col('I/mA'), col('freq/Hz')];
  const galvanostatic: CellSample[] = [];
  const all: CellSample[] = [];
  for (const line of lines.slice(headerLines)) {
    const cells = line.split('\t');
    const t_s = Number(cells[time]);
    const v = Number(cells[ewe]);
    const i_mA = Number(cells[current]);
    if (!line.trim() || !Number.isFinite(t_s) || !Number.isFinite(v) || !Number.isFinite(i_mA)) continue;
    const sample: CellSample = { ts: start_ms + t_s * 1000, v, i: i_mA / 1000, t: 25 };
    all.push(sample);
    if (Number(cells[freq]) === 0) galvanostatic.push(sample);
  }
  return { area_cm2, galvanostatic, all };
}

const raised = (results: MonitorResult[]): DetectorEvent[] =>
  results.flatMap((r) => r.events).filter((e) => e.level !== 'ok');

describe('CellMonitor on the real Li|LLZO|Li recording (biologic/mb.mpt)', () => {
  it('raises nothing at warning or above: it is a healthy cell', (ctx) => {
    if (!fixturePresent(mbPath))
      return ctx.skip(`${mbPath} is missing (the shared fixtures are not checked out)`);
    const { area_cm2, galvanostatic, all } = readMpt(mbPath);
    expect(area_cm2).toBe(0.5);
    expect(galvanostatic.length).toBeGreaterThan(1000);
    for (const samples of [galvanostatic, all]) {
      const monitor = new CellMonitor({
        cellType: 'symmetric',
        electrodeArea_cm2: area_cm2,
        electrolyte: { preset: 'llzo' },
      });
      const results = samples.map((s) => monitor.update(s));
      expect(raised(results)).toEqual([]);
      expect(results.every((r) => r.accepted)).toBe(true);
      // It did look: stripping at ±2.8 µA over 0.5 cm² against the CSC of LLZO without pressure.
      const stripping = results[samples.findIndex((s) => Math.abs(s.i) > 2.7e-6)];
      expect(stripping?.estimates.strippingOverCsc).toBeCloseTo(2.8e-6 / 0.5e-4 / 1, 3);
      const asr = results
        .filter((r, k) => Math.abs(samples[k]?.i ?? 0) > 2.7e-6)
        .map((r) => r.estimates.asr_ohm_cm2);
      expect(asr.filter((x) => x !== null).length).toBeGreaterThan(500);
      // |V/J| ≈ 3.7 mV / 5.6 µA/cm² ≈ 660 Ω·cm².
      expect(asr.at(-1)).toBeGreaterThan(600);
      expect(asr.at(-1)).toBeLessThan(720);
      // Contact stays near full: the ASR drifts by ~10 % within steps.
      const contact = results.map((r) => r.estimates.contactFraction ?? 1);
      expect(Math.min(...contact)).toBeGreaterThan(0.8);
    }
  });
});

/** Other real recordings: commercial and lab cells, all healthy, with their own CSV layouts. */
const otherRecordings: {
  file: string;
  config: CellConfig;
  read: (text: string) => CellSample[];
}[] = [
  {
    // Arbin, LFP 18650 cycling at 5 s (Test_Time s, Current A, Voltage V, Temperature °C).
    file: 'arbin/arbin_example.csv',
    config: { cellType: 'full', electrodeArea_cm2: 800, electrolyte: { preset: 'lp30' } },
    read: (text) =>
      csvRows(text, 1).map((c) => ({
        ts: start_ms + Number(c[1]) * 1000,
        v: Number(c[7]),
        i: Number(c[6]),
        t: Number(c[14]),
      })),
  },
  {
    // Neware, half cell at ±0.25 and ±1 mA, 60 s (Cumulative Time HH:MM:SS with hours > 24).
    file: 'neware/neware_uio.csv',
    config: { cellType: 'half', electrodeArea_cm2: 1.54, electrolyte: { preset: 'lp30' } },
    read: (text) =>
      csvRows(text, 1).map((c) => {
        const [h, m, sec] = (c[5] ?? '').split(':').map(Number);
        return {
          ts: start_ms + ((h ?? 0) * 3600 + (m ?? 0) * 60 + (sec ?? 0)) * 1000,
          v: Number(c[7]),
          i: Number(c[6]),
        };
      }),
  },
  {
    // Samsung 30Q 1C discharge at 1 s, headerless (time s, current A, voltage V, power W, cell °C, …).
    file: 'generic/Q30_S001_1C.csv',
    config: { cellType: 'full', electrodeArea_cm2: 800, electrolyte: { preset: 'lp30' } },
    read: (text) =>
      csvRows(text.replace(/^\uFEFF/, ''), 0).map((c) => ({
        ts: start_ms + Number(c[0]) * 1000,
        v: Number(c[2]),
        i: Number(c[1]),
        t: Number(c[4]),
      })),
  },
];

function csvRows(text: string, headerLines: number): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .slice(headerLines)
    .map((line) => line.split(','));
}

describe('CellMonitor on other real recordings (healthy commercial and half cells)', () => {
  for (const recording of otherRecordings) {
    it(`raises nothing on ${recording.file}`, (ctx) => {
      const path = resolve(repoRoot, '../shared/fixtures', recording.file);
      if (!fixturePresent(path))
        return ctx.skip(`${path} is missing (the shared fixtures are not checked out)`);
      const samples = recording.read(readFileSync(path, 'utf8'));
      expect(samples.length).toBeGreaterThan(1000);
      const monitor = new CellMonitor(recording.config);
      const results = samples.map((s) => monitor.update(s));
      expect(results.every((r) => r.accepted)).toBe(true);
      expect(raised(results)).toEqual([]);
    });
  }
});

const liquidConfig: CellConfig = {
  rigId: 'rig-01',
  cellId: 'ch-03',
  cellType: 'symmetric',
  electrodeArea_cm2: 1,
  electrolyte: {
    kind: 'liquid',
    diffusivity_cm2_s: 3.0e-6,
    concentration_mol_L: 1.0,
    cationTransference: 0.38,
    gap_um: 500,
  },
  stack: { nominalPressure_MPa: 5 },
  thresholds: {},
};

/**
 * A symmetric liquid cell under constant current: voltage = I*R + the concentration overpotential of
 * the salt profile, (2RT/F)*t_a*ln(c_pos/c_neg), computed from the semi-infinite (Sand) solution
 * c_s = c0 -/+ 2*t_a*J*sqrt(t/(pi*D))/F; it diverges at Sand's time.
 */
function liquidRun(current_A: number, duration_s: number, dt_s: number, seed = 5): CellSample[] {
  const random = noise(seed);
  const d_m2_s = 3e-10;
  const c0 = 1000;
  const ta = 0.62;
  const j = current_A / 1e-4;
  const samples: CellSample[] = [];
  let t = 0;
  while (t < duration_s) {
    t += dt_s * (1 + 0.3 * random());
    const delta = (2 * ta * j * Math.sqrt(t / (Math.PI * d_m2_s))) / faraday_C_per_mol;
    const cNeg = Math.max(1e-3, c0 - delta);
    const cPos = c0 + delta;
    const eta_V = ((2 * 8.314462618 * 298.15) / faraday_C_per_mol) * ta * Math.log(cPos / cNeg);
    samples.push({
      ts: start_ms + t * 1000,
      v: current_A * 20 + eta_V + 1e-5 * random(),
      i: current_A,
      t: 25,
    });
  }
  return samples;
}

describe('CellMonitor (liquid cell)', () => {
  const jStar = limitingCurrentDensity_A_m2({
    diffusivity_m2_s: 3e-10,
    concentration_mol_m3: 1000,
    anionTransference: 0.62,
    gap_m: 500e-6,
  });

  it('warns of Li+ depletion ahead of Sand’s time with the DESIGN.md message, then goes critical', () => {
    // A 10 mm capillary cell (as in Bai et al. 2016) at 5.6 mA/cm²: Sand's time ≈ 30 min, J/J* ≈ 6.
    const capillary = limitingCurrentDensity_A_m2({
      diffusivity_m2_s: 3e-10,
      concentration_mol_m3: 1000,
      anionTransference: 0.62,
      gap_m: 10e-3,
    });
    const j_A_m2 = 56;
    const tau_s = sandTime_s({
      currentDensity_A_m2: j_A_m2,
      diffusivity_m2_s: 3e-10,
      concentration_mol_m3: 1000,
      anionTransference: 0.62,
    });
    const monitor = new CellMonitor({
      ...liquidConfig,
      electrolyte: { ...liquidConfig.electrolyte, gap_um: 10_000 },
    });
    const results = liquidRun(j_A_m2 * 1e-4, tau_s * 1.05, tau_s / 200).map((s) => monitor.update(s));
    const events = results.flatMap((r) => r.events).filter((e) => e.kind === 'sand-depletion');
    const warning = events.find((e) => e.level === 'warning');
    const critical = events.find((e) => e.level === 'critical');
    expect(warning?.message).toMatch(
      /^Li\+ depletion at the plating electrode in ~\d+ min \(J\/J\* = 6\.\d\)$/,
    );
    expect(warning?.evidence.jOverJstar).toBeCloseTo(j_A_m2 / capillary, 6);
    // Warned minutes ahead (at 80 % depletion, 0.64 tau); critical at 95 % (0.90 tau), before tau.
    const warnedAt_s = ((warning?.ts ?? 0) - start_ms) / 1000;
    const criticalAt_s = ((critical?.ts ?? 0) - start_ms) / 1000;
    expect(warnedAt_s / tau_s).toBeGreaterThan(0.6);
    expect(warnedAt_s / tau_s).toBeLessThan(0.7);
    expect(criticalAt_s / tau_s).toBeGreaterThan(0.88);
    expect(criticalAt_s / tau_s).toBeLessThan(0.95);
    expect(critical?.message).toMatch(/dendrites/);
    const last = results.at(-1);
    expect(last?.estimates.depletionFraction).toBe(1);
    expect(last?.levels['sand-depletion']).toBe('critical');
  });

  it('stays quiet below J* across rests, reversals, irregular sampling and a gap, and flags the gap', () => {
    const monitor = new CellMonitor(liquidConfig);
    const random = noise(9);
    const samples: CellSample[] = [];
    let t_s = 0;
    const current_A = 0.5 * jStar * 1e-4;
    for (let cycle = 0; cycle < 6; cycle++) {
      for (const i of [current_A, 0, -current_A, 0]) {
        const end_s = t_s + (i === 0 ? 300 : 1800);
        while (t_s < end_s) {
          t_s += 5 * (1 + 0.5 * random());
          samples.push({
            ts: start_ms + t_s * 1000,
            v: i * 20 + 1e-5 * random(),
            i,
            t: 25 + 0.05 * random(),
            p: 5,
          });
        }
      }
      // An hour without data in the middle of the run.
      if (cycle === 2) t_s += 3600;
    }
    const results = samples.map((s) => monitor.update(s));
    const events = results.flatMap((r) => r.events);
    expect(events.map((e) => `${e.kind}:${e.level}`)).toEqual(['data-gap:critical', 'data-gap:ok']);
    expect(events[0]?.message).toMatch(
      /^No data for 6\d min before this sample: events in between were not seen$/,
    );
    const maxDepletion = Math.max(...results.map((r) => r.estimates.depletionFraction ?? 0));
    // Half of J*, long enough to reach the steady profile: depletion fraction → J/J* = 0.5.
    expect(maxDepletion).toBeCloseTo(0.5, 3);
  });

  it('ignores out-of-order and non-finite samples, and reset() starts a new run', () => {
    const monitor = new CellMonitor(liquidConfig);
    const samples = liquidRun(4 * jStar * 1e-4, 600, 10);
    for (const s of samples.slice(0, 20)) monitor.update(s);
    const before = monitor.update(samples[20] ?? samples[0]!);
    expect(monitor.update(samples[3] ?? samples[0]!).accepted).toBe(false);
    expect(monitor.update({ ts: start_ms + 1e6, v: NaN, i: 0 }).note).toMatch(/finite/);
    expect(before.estimates.depletionFraction).toBeGreaterThan(0);
    monitor.reset();
    const fresh = monitor.update(samples[0] ?? { ts: start_ms, v: 0, i: 0 });
    expect(fresh.estimates.depletionFraction).toBeLessThan(before.estimates.depletionFraction ?? 0);
    expect(Object.values(monitor.status()).every((s) => s.level === 'ok')).toBe(true);
  });

  it('scales D with temperature when the configuration gives an activation energy', () => {
    const monitor = new CellMonitor({
      ...liquidConfig,
      electrolyte: { ...liquidConfig.electrolyte, referenceTemperature_C: 25, activationEnergy_kJ_mol: 20 },
    });
    const cold =
      monitor.update({ ts: start_ms, v: 0, i: 0, t: 25 }).estimates.limitingCurrentDensity_A_m2 ?? 0;
    const warm =
      monitor.update({ ts: start_ms + 1000, v: 0, i: 0, t: 45 }).estimates.limitingCurrentDensity_A_m2 ?? 0;
    // exp(20000/8.314 * (1/298.15 - 1/318.15)) ≈ 1.66
    expect(warm / cold).toBeCloseTo(Math.exp((20000 / 8.314462618) * (1 / 298.15 - 1 / 318.15)), 6);
  });
});

describe('cell configuration', () => {
  it('accepts the DESIGN.md example and presets, converting lab units to SI', () => {
    const resolved = resolveCellConfig(liquidConfig);
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.cell.area_m2).toBeCloseTo(1e-4, 12);
    expect(resolved.cell.gap_m).toBeCloseTo(500e-6, 12);
    expect(resolved.cell.concentration_mol_m3).toBe(1000);
    expect(resolved.cell.anionTransference).toBeCloseTo(0.62, 12);
    expect(resolved.cell.diffusivityAt_m2_s?.(NaN)).toBeCloseTo(3e-10, 18);
    const preset = resolveCellConfig({
      electrodeArea_cm2: 1.13,
      electrolyte: { preset: 'lp30', gap_um: 50 },
    });
    expect(preset.ok && preset.cell.gap_m).toBeCloseTo(50e-6, 12);
  });

  it('takes a measured CSC for a solid electrolyte, the peo-litfsi-60c name, and negative t+', () => {
    const solid = resolveCellConfig({
      electrodeArea_cm2: 1,
      electrolyte: { kind: 'solid', criticalStrippingCurrent_mA_cm2: 0.3 },
      stack: { nominalPressure_MPa: 5 },
    });
    expect(solid.ok && solid.cell.cscTable).toEqual([{ pressure_Pa: 5e6, csc_A_m2: 3 }]);
    expect(solid.ok && solid.cell.diffusivityAt_m2_s).toBeNull();
    const peo = resolveCellConfig({ electrodeArea_cm2: 1, electrolyte: { preset: 'peo-litfsi-60c' } });
    expect(peo.ok && peo.cell.kind).toBe('polymer');
    const negative = resolveCellConfig({
      electrodeArea_cm2: 1,
      electrolyte: { preset: 'peo-litfsi', cationTransference: -0.2 },
    });
    expect(negative.ok && negative.cell.anionTransference).toBeCloseTo(1.2, 12);
    expect(negative.warnings.join()).toMatch(/negative t\+/);
  });

  it('reports what is wrong instead of guessing', () => {
    const bad = resolveCellConfig({
      electrodeArea_cm2: 0,
      electrolyte: { preset: 'nope' },
      thresholds: { nope: 1 },
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join()).toMatch(/unknown electrolyte preset "nope".*electrodeArea_cm2/);
    expect(bad.warnings).toEqual(['unknown threshold "nope"']);
    expect(() => new CellMonitor({ electrodeArea_cm2: 1, electrolyte: { kind: 'liquid' } })).toThrow(
      RangeError,
    );
  });

  it('applies a per-cell current amplification to the depletion model', () => {
    const plain = new CellMonitor(liquidConfig);
    const amplified = new CellMonitor({ ...liquidConfig, thresholds: { sandCurrentAmplification: 3 } });
    const sample = { ts: start_ms, v: 0.02, i: 1e-3 };
    const j1 = plain.update(sample).estimates.jOverJstar ?? NaN;
    const j3 = amplified.update(sample).estimates.jOverJstar ?? NaN;
    expect(j3 / j1).toBeCloseTo(3, 12);
  });

  it('uses per-cell threshold overrides', () => {
    const monitor = new CellMonitor({
      ...liquidConfig,
      thresholds: { dataGapWarn_s: 60, dataGapCritical_s: 1e9 },
    });
    monitor.update({ ts: start_ms, v: 0, i: 0 });
    const result = monitor.update({ ts: start_ms + 120_000, v: 0, i: 0 });
    expect(result.events.map((e) => `${e.kind}:${e.level}`)).toEqual(['data-gap:warning']);
  });
});
