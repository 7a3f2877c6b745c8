import type { CellConfig, Estimates } from '#contracts';

/** Resampling step of the model's input window. */
export const FEATURE_STEP_S = 10;
/** Rows in a window (oldest first): 60 × 10 s = the last 10 minutes. */
export const FEATURE_STEPS = 60;
/** Rows that must have been seen before a window is worth predicting on (2 minutes). */
export const FEATURE_MIN_STEPS = 12;
/**
 * Channels per row, in this order. Raw channels are relative to the window itself (current to its largest
 * current, polarization and resistance to their medians under load), so cells of other sizes, chemistries and
 * currents look alike; absolute scales come in only through the physics estimates, which are normalised by
 * the cell's own parameters (J/J*, depletion, contact fraction).
 */
export const FEATURE_CHANNELS = [
  'present',
  'relativeCurrent',
  'relativePolarization',
  'relativeAsr',
  'noise',
  'dip',
  'temperatureChange',
  'pressureChange',
  'depletionFraction',
  'jOverJstar',
  'strippingChargeAboveCsc',
  'contactFraction',
  'asrTrend',
  'shortConductance',
  'depletionSoon',
] as const;
export const FEATURE_SIZE = FEATURE_STEPS * FEATURE_CHANNELS.length;

const C = FEATURE_CHANNELS.length;
const ch = Object.fromEntries(FEATURE_CHANNELS.map((name, k) => [name, k])) as Record<
  (typeof FEATURE_CHANNELS)[number],
  number
>;

/** What push() needs of a sample: data time (epoch ms), V, A and optionally °C and MPa. */
export interface FeatureSample {
  ts: number;
  v: number;
  i: number;
  t?: number;
  p?: number;
}

/** Per-cell rolling window of resampled raw channels and physics estimates for the failure model. */
export interface FeatureWindow {
  push(sample: FeatureSample, estimates?: Partial<Estimates>): void;
  /** True once FEATURE_MIN_STEPS rows exist. */
  ready(): boolean;
  /** FEATURE_STEPS × channels, oldest row first; rows before the cell's first sample are zero. */
  window(): Float32Array;
  reset(): void;
}

interface Bucket {
  count: number;
  loaded: number;
  sumI_A: number;
  sumPolarization_V: number;
  sumSqPolarization_V2: number;
  minAbsV: number;
  sumAbsV: number;
  sumResistance_ohm: number;
  lastT: number | undefined;
  lastP: number | undefined;
  estimates: Partial<Estimates> | undefined;
}

function emptyBucket(): Bucket {
  return {
    count: 0,
    loaded: 0,
    sumI_A: 0,
    sumPolarization_V: 0,
    sumSqPolarization_V2: 0,
    minAbsV: Infinity,
    sumAbsV: 0,
    sumResistance_ohm: 0,
    lastT: undefined,
    lastP: undefined,
    estimates: undefined,
  };
}

function medianOf(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function clip(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/**
 * A sample is under load when its current is above this fraction of the cell's recent largest current
 * (decaying over an hour), so µA cells and mA cells are judged alike; below, the cell is at rest.
 */
const restFraction = 0.05;
/** Absolute floor for "under load" (a cycler's current offset). */
const restFloor_A = 1e-9;

/**
 * The per-bucket channels of a row, as raw values (current density mA/cm², polarization V, ASR Ω·cm²) in
 * the slots of the relative channels, which normaliseWindow makes relative to the window.
 */
function fillRawChannels(row: Float32Array, b: Bucket, area_cm2: number): void {
  row[ch.relativeAsr] = NaN;
  if (b.count === 0) return;
  row[ch.present] = 1;
  row[ch.relativeCurrent] = ((b.sumI_A / b.count) * 1e3) / area_cm2;
  const meanPolarization_V = b.sumPolarization_V / b.count;
  row[ch.relativePolarization] = meanPolarization_V;
  const variance = Math.max(b.sumSqPolarization_V2 / b.count - meanPolarization_V ** 2, 0);
  const meanAbsV = b.sumAbsV / b.count;
  row[ch.noise] = clip(Math.sqrt(variance) / Math.max(meanAbsV, 1e-4), 0, 2);
  row[ch.dip] = meanAbsV > 1e-4 ? clip((meanAbsV - b.minAbsV) / meanAbsV, 0, 1) : 0;
  if (b.loaded > 0) row[ch.relativeAsr] = (b.sumResistance_ohm / b.loaded) * area_cm2;
}

/** The physics channels of a row from the latest estimates, each scaled to about 0…1. */
function fillPhysicsChannels(row: Float32Array, e: Partial<Estimates>): void {
  row[ch.depletionFraction] = clip(e.depletionFraction ?? 0, 0, 1);
  row[ch.jOverJstar] = clip(e.jOverJstar ?? 0, 0, 5) / 5;
  row[ch.strippingChargeAboveCsc] = Math.log10(1 + Math.max(e.strippingChargeAboveCsc_C_m2 ?? 0, 0)) / 4;
  row[ch.contactFraction] = clip(e.contactFraction ?? 1, 0, 1);
  row[ch.asrTrend] = e.areaSpecificResistance_ohm_m2 ?? NaN; // made relative in normaliseWindow()
  const short_ohm = e.shortResistance_ohm;
  row[ch.shortConductance] =
    short_ohm === null || short_ohm === undefined
      ? 0
      : clip(1 - Math.log10(Math.max(short_ohm, 1e-3)) / 4, 0, 1.75);
  const ttd_s = e.timeToDepletion_s;
  row[ch.depletionSoon] = ttd_s === null || ttd_s === undefined ? 0 : Math.exp(-Math.max(ttd_s, 0) / 600);
}

/** Adds one sample to a bucket; `underLoad` samples also give a resistance |V/I|. */
function addToBucket(b: Bucket, sample: FeatureSample, underLoad: boolean): void {
  const sign = underLoad ? Math.sign(sample.i) : 1;
  const polarization_V = sample.v * sign;
  b.count++;
  b.sumI_A += sample.i;
  b.sumPolarization_V += polarization_V;
  b.sumSqPolarization_V2 += polarization_V * polarization_V;
  b.minAbsV = Math.min(b.minAbsV, Math.abs(sample.v));
  b.sumAbsV += Math.abs(sample.v);
  if (underLoad) {
    b.loaded++;
    b.sumResistance_ohm += Math.abs(sample.v / sample.i);
  }
  if (sample.t !== undefined) b.lastT = sample.t;
  if (sample.p !== undefined) b.lastP = sample.p;
}

/**
 * The model's input from raw rows (oldest first, at most FEATURE_STEPS): current relative to the window's
 * largest, polarization and resistance relative to their medians under load, temperature relative to the
 * newest row, the ASR estimate relative to the window's first; rows before the first are zero.
 */
function normaliseWindow(all: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(FEATURE_SIZE);
  const offset = FEATURE_STEPS - all.length;
  const newest = all.at(-1);
  const newestT = newest?.[ch.temperatureChange] ?? NaN;
  const firstAsr = all.find((row) => Number.isFinite(row[ch.asrTrend]!))?.[ch.asrTrend] ?? NaN;
  const maxCurrent = Math.max(...all.map((row) => Math.abs(row[ch.relativeCurrent]!)), 1e-12);
  const loaded = all.filter((row) => Math.abs(row[ch.relativeCurrent]!) > restFraction * maxCurrent);
  const loadedPolarization_V = medianOf(loaded.map((row) => Math.abs(row[ch.relativePolarization]!)));
  // At rest all window long there is no polarization to compare with: 1 mV is the scale then.
  const polarizationRef_V = Number.isFinite(loadedPolarization_V)
    ? Math.max(loadedPolarization_V, 1e-4)
    : 1e-3;
  const asrRef = medianOf(
    loaded.map((row) => row[ch.relativeAsr]!).filter((x) => Number.isFinite(x) && x > 0),
  );
  all.forEach((row, k) => {
    const base = (offset + k) * C;
    out.set(row, base);
    const t = row[ch.temperatureChange]!;
    out[base + ch.temperatureChange] =
      Number.isFinite(t) && Number.isFinite(newestT) ? clip((t - newestT) / 10, -3, 3) : 0;
    const asr = row[ch.asrTrend]!;
    out[base + ch.asrTrend] =
      Number.isFinite(asr) && Number.isFinite(firstAsr) && asr > 0 && firstAsr > 0
        ? clip(Math.log(asr / firstAsr), -2, 2)
        : 0;
    out[base + ch.relativeCurrent] = row[ch.relativeCurrent]! / maxCurrent;
    out[base + ch.relativePolarization] = clip(row[ch.relativePolarization]! / polarizationRef_V, -4, 4);
    const rowAsr = row[ch.relativeAsr]!;
    out[base + ch.relativeAsr] =
      Number.isFinite(rowAsr) && rowAsr > 0 && asrRef > 0 ? clip(Math.log(rowAsr / asrRef), -2, 2) : 0;
  });
  return out;
}

/**
 * Creates the rolling feature window of one cell: samples are summed into 10 s buckets, each closed
 * bucket becomes a row (raw channels, conditions carried from the last reading, the latest physics
 * estimates), and window() normalises the last FEATURE_STEPS rows.
 */
export function createFeatureWindow(config: Pick<CellConfig, 'electrodeArea_cm2' | 'stack'>): FeatureWindow {
  const area_cm2 = config.electrodeArea_cm2;
  const nominalPressure_MPa = config.stack?.nominalPressure_MPa ?? 0;
  const step_ms = FEATURE_STEP_S * 1000;
  const rows: Float32Array[] = [];
  let bucket = emptyBucket();
  let bucketStart_ms = NaN;
  let completed = 0;
  let lastTemperature: number | undefined;
  let lastPressure: number | undefined;
  let lastEstimates: Partial<Estimates> = {};
  let lastTs_ms = NaN;
  let recentMaxCurrent_A = 0;

  // Temperature, pressure and estimates are carried from the last bucket that had them.
  const rowOf = (b: Bucket): Float32Array => {
    const row = new Float32Array(C);
    fillRawChannels(row, b, area_cm2);
    if (b.lastT !== undefined) lastTemperature = b.lastT;
    if (b.lastP !== undefined) lastPressure = b.lastP;
    row[ch.temperatureChange] = lastTemperature ?? NaN; // made relative to the newest row in normaliseWindow()
    row[ch.pressureChange] =
      lastPressure !== undefined
        ? clip((lastPressure - nominalPressure_MPa) / Math.max(nominalPressure_MPa, 1), -2, 2)
        : 0;
    if (b.estimates) lastEstimates = b.estimates;
    fillPhysicsChannels(row, lastEstimates);
    return row;
  };

  const closeBucket = (): void => {
    rows.push(rowOf(bucket));
    if (rows.length > FEATURE_STEPS) rows.shift();
    completed++;
    bucket = emptyBucket();
  };

  const reset = (): void => {
    rows.length = 0;
    bucket = emptyBucket();
    bucketStart_ms = NaN;
    completed = 0;
    lastTemperature = undefined;
    lastPressure = undefined;
    lastEstimates = {};
    lastTs_ms = NaN;
    recentMaxCurrent_A = 0;
  };

  /** Closes the buckets that end before `ts`; a jump back in data time starts a new run. */
  const advanceTo = (ts: number): void => {
    if (Number.isNaN(bucketStart_ms) || ts < bucketStart_ms - step_ms) {
      if (!Number.isNaN(bucketStart_ms)) reset();
      bucketStart_ms = Math.floor(ts / step_ms) * step_ms;
    }
    let guard = 0;
    while (ts >= bucketStart_ms + step_ms) {
      closeBucket();
      bucketStart_ms += step_ms;
      if (++guard > FEATURE_STEPS) {
        // A long gap: skip ahead, the window is now empty rows.
        bucketStart_ms = Math.floor(ts / step_ms) * step_ms;
        break;
      }
    }
  };

  return {
    push(sample, estimates) {
      advanceTo(sample.ts);
      const elapsed_s = Number.isFinite(lastTs_ms) ? Math.max(sample.ts - lastTs_ms, 0) / 1000 : 0;
      lastTs_ms = sample.ts;
      recentMaxCurrent_A = Math.max(Math.abs(sample.i), recentMaxCurrent_A * Math.exp(-elapsed_s / 3600));
      addToBucket(
        bucket,
        sample,
        Math.abs(sample.i) > Math.max(restFraction * recentMaxCurrent_A, restFloor_A),
      );
      if (estimates) bucket.estimates = estimates;
    },
    ready() {
      return completed + (bucket.count > 0 ? 1 : 0) >= FEATURE_MIN_STEPS;
    },
    window() {
      // rowOf() on the partial bucket must not move the carried state permanently: it only ever moves it
      // forward to values the next closeBucket() would set too.
      const all =
        bucket.count > 0 ? [...rows.slice(rows.length >= FEATURE_STEPS ? 1 : 0), rowOf(bucket)] : rows;
      return normaliseWindow(all);
    },
    reset,
  };
}
