import type { AlertEvent, CellConfig, CycleSummary, StateMessage } from '#contracts';
import { asColumns, type SampleColumns } from './sample-columns.js';
import type { CellSample, DetectorCheckpoint } from './telemetry-store.js';

/*
 * InfluxDB line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/),
 * written at precision `u` (microseconds): sample `ts` is fractional epoch ms, so sub-millisecond samples get
 * distinct timestamps and a replayed sample lands on the same point and overwrites it.
 */

export const MEASUREMENT = {
  telemetry: 'telemetry',
  state: 'cell_state',
  alert: 'alert',
  config: 'cell_config',
  cycle: 'cycle',
} as const;

const TAG_SPECIAL = /[,= \\\n]/;
const STRING_SPECIAL = /["\\]/;

/** Escapes a tag key or value: commas, equals signs, spaces and backslashes get a backslash. */
export function escapeTag(value: string): string {
  if (!TAG_SPECIAL.test(value)) return value;
  // Newlines cannot be escaped in line protocol; they would end the line, so they become spaces.
  return value.replace(/[,= \\]/g, '\\$&').replace(/\n/g, '\\ ');
}

/** Quotes a string field value, escaping double quotes and backslashes. */
export function quoteString(value: string): string {
  return STRING_SPECIAL.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

/** Epoch ms (fractional allowed) to integer epoch microseconds, the timestamps this store writes. */
export function msToMicros(ts_ms: number): number {
  return Math.round(ts_ms * 1000);
}

/**
 * Encodes samples as `telemetry` lines, one per sample, each ending in a newline. Optional fields are
 * written only when present; seq, cycle and step are integers (`i` suffix), the rest floats. Takes
 * objects or columns (ingest's drainer writes columns). The same bytes as `encodeSampleBytes`, as text.
 */
export function encodeSamples(
  samples: readonly CellSample[] | SampleColumns,
  start = 0,
  end = samples.length,
): string {
  return encodeSampleBytes(samples, start, end).toString('utf8');
}

/**
 * `encodeSamples` as the UTF-8 bytes a write request sends. A hot path (ingest's drainer, every stored
 * sample): each line is built by plain concatenation, the tag prefix reused while consecutive samples
 * share a cell, and written into one buffer in chunks of a few dozen lines. Concatenating all lines into
 * one string and converting that at the end cost more than building it: the converter first flattens a
 * string made of tens of thousands of pieces (in the bench:ingest profile, as much as the encoding
 * itself); one write per line cost a native call per sample. Number-to-text is the larger part of a
 * line, and a rig's current, temperature and pressure mostly repeat from one sample to the next, so each
 * field's last text is reused while its value repeats.
 */
export function encodeSampleBytes(
  samples: readonly CellSample[] | SampleColumns,
  start = 0,
  end = samples.length,
): Buffer {
  const c = asColumns(samples);
  // About 80 bytes a line with every field; grown when a chunk does not fit.
  let buf = Buffer.allocUnsafe(Math.max(256, (end - start) * 96));
  let o = 0;
  let rig: string | undefined;
  let cell: string | undefined;
  let prefix = '';
  /** UTF-8 bytes of the prefix beyond one per character (ids outside ASCII); numbers are ASCII. */
  let wide = 0;
  // Prefixes by cell id, for batches whose cells alternate (single-sample messages of many cells).
  const prefixes = new Map<string, { rig: string; prefix: string; wide: number }>();
  const v = new FieldText();
  const i = new FieldText();
  const t = new FieldText();
  const p = new FieldText();
  let chunk = '';
  let chunkBytes = 0;
  let lines = 0;
  for (let k = start; k < end; k++) {
    if (c.rigId[k] !== rig || c.cellId[k] !== cell) {
      rig = c.rigId[k]!;
      cell = c.cellId[k]!;
      let known = prefixes.get(cell);
      if (known?.rig !== rig) {
        const text = 'telemetry,cell=' + escapeTag(cell) + ',rig=' + escapeTag(rig) + ' v=';
        known = { rig, prefix: text, wide: Buffer.byteLength(text) - text.length };
        prefixes.set(cell, known);
      }
      prefix = known.prefix;
      wide = known.wide;
    }
    let line = prefix + v.of(c.v[k]!) + ',i=' + i.of(c.i[k]!);
    const tk = c.t[k]!;
    const pk = c.p[k]!;
    const seq = c.seq[k]!;
    const cycle = c.cycle[k]!;
    const step = c.step[k]!;
    if (tk === tk) line += ',t=' + t.of(tk); // x === x: not NaN (absent)
    if (pk === pk) line += ',p=' + p.of(pk);
    if (seq === seq) line += ',seq=' + seq + 'i';
    if (cycle === cycle) line += ',cycle=' + cycle + 'i';
    if (step === step) line += ',step=' + step + 'i';
    line += ' ' + Math.round(c.ts[k]! * 1000) + '\n';
    chunk += line;
    chunkBytes += line.length + wide;
    if (++lines === LINES_PER_WRITE || k === end - 1) {
      if (o + chunkBytes > buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(o + chunkBytes, buf.length * 2));
        buf.copy(grown, 0, 0, o);
        buf = grown;
      }
      o += buf.write(chunk, o, 'utf8');
      chunk = '';
      chunkBytes = 0;
      lines = 0;
    }
  }
  return buf.subarray(0, o);
}

/** Lines converted to UTF-8 per native write: few enough that flattening each chunk stays cheap. */
const LINES_PER_WRITE = 32;

/** The line-protocol text of one field's values, the last one kept while it repeats. */
class FieldText {
  private value = NaN;
  private text = '';

  of(value: number): string {
    // `String(value)` is the same text for 0 and -0, the one pair `===` cannot tell apart.
    if (value !== this.value) {
      this.value = value;
      this.text = '' + value;
    }
    return this.text;
  }
}

function floatField(name: string, value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? ',' + name + '=' + value : '';
}

/**
 * Encodes a `cell_state` line: the whole state as a JSON string field (what reads return) plus risk,
 * v, i, t, p and the main estimates as their own fields so they can be queried and charted.
 */
export function encodeState(state: StateMessage): string {
  const e = state.estimates;
  return (
    'cell_state,cell=' +
    escapeTag(state.cellId) +
    ',rig=' +
    escapeTag(state.rigId) +
    ' json=' +
    quoteString(JSON.stringify(state)) +
    ',risk=' +
    quoteString(state.risk) +
    floatField('v', state.v) +
    floatField('i', state.i) +
    floatField('t', state.t) +
    floatField('p', state.p) +
    floatField('depletionFraction', e.depletionFraction) +
    floatField('timeToDepletion_s', e.timeToDepletion_s) +
    floatField('jOverJstar', e.jOverJstar) +
    floatField('contactFraction', e.contactFraction) +
    floatField('shortResistance_ohm', e.shortResistance_ohm) +
    ' ' +
    msToMicros(state.ts) +
    '\n'
  );
}

/**
 * Encodes an `alert` line. The alert id is a tag, so each alert is its own series and an event is the
 * point at its data time: the same event written twice overwrites itself, and the latest point of a
 * series is the alert's current state.
 */
export function encodeAlert(alert: AlertEvent): string {
  return (
    'alert,cell=' +
    escapeTag(alert.cellId) +
    ',id=' +
    escapeTag(alert.id) +
    ',kind=' +
    escapeTag(alert.kind) +
    ',rig=' +
    escapeTag(alert.rigId) +
    ' json=' +
    quoteString(JSON.stringify(alert)) +
    ',state=' +
    quoteString(alert.state) +
    ',severity=' +
    quoteString(alert.severity) +
    ' ' +
    msToMicros(alert.ts) +
    '\n'
  );
}

/** Encodes a `cell_config` line at `writtenAt_ms`; the latest point of a cell is its configuration. */
export function encodeConfig(config: CellConfig, writtenAt_ms: number): string {
  return (
    'cell_config,cell=' +
    escapeTag(config.cellId) +
    ',rig=' +
    escapeTag(config.rigId) +
    ' json=' +
    quoteString(JSON.stringify(config)) +
    ' ' +
    msToMicros(writtenAt_ms) +
    '\n'
  );
}

/**
 * Encodes a cell's `detector_checkpoint` line at `at_ms` (the store writes each cell's checkpoints of a day
 * at the same time, so a new one overwrites the previous instead of adding a point per write).
 */
export function encodeCheckpoint(checkpoint: DetectorCheckpoint, at_ms: number): string {
  return (
    'detector_checkpoint,cell=' +
    escapeTag(checkpoint.cellId) +
    ',rig=' +
    escapeTag(checkpoint.rigId) +
    ' ts=' +
    String(checkpoint.ts) +
    ',version=' +
    String(Math.trunc(checkpoint.version)) +
    'i,state=' +
    quoteString(checkpoint.state) +
    ' ' +
    msToMicros(at_ms) +
    '\n'
  );
}

/**
 * Encodes a `cycle` line at the cycle's start (data time), with its number and main statistics as fields
 * (for Grafana) and the whole summary as JSON. Rewriting a cycle overwrites its point; a cycle number
 * written again with another start is a second point, and readers keep the one written last
 * (`writtenAt_ms`).
 */
export function encodeCycle(cycle: CycleSummary, writtenAt_ms: number): string {
  let fields =
    'cycle=' +
    cycle.cycle +
    'i' +
    ',chargeCapacity_mAh=' +
    cycle.chargeCapacity_mAh +
    ',dischargeCapacity_mAh=' +
    cycle.dischargeCapacity_mAh +
    ',chargeEnergy_mWh=' +
    cycle.chargeEnergy_mWh +
    ',dischargeEnergy_mWh=' +
    cycle.dischargeEnergy_mWh;
  if (cycle.coulombicEfficiency !== null) fields += ',coulombicEfficiency=' + cycle.coulombicEfficiency;
  if (cycle.meanPolarization_V !== null) fields += ',meanPolarization_V=' + cycle.meanPolarization_V;
  fields += ',written=' + writtenAt_ms + ',json=' + quoteString(JSON.stringify(cycle));
  return (
    'cycle,cell=' +
    escapeTag(cycle.cellId) +
    ',rig=' +
    escapeTag(cycle.rigId) +
    ' ' +
    fields +
    ' ' +
    msToMicros(cycle.start) +
    '\n'
  );
}
