import { z } from 'zod';
import { scanSamples, type ScanLimits } from './sample-scan.js';

/** Data-time bounds of DESIGN.md: timestamps before 2000 or after 2100 are rejected. */
export const TS_MIN_MS = Date.UTC(2000, 0, 1);
export const TS_MAX_MS = Date.UTC(2100, 0, 1);
/** Largest telemetry payload and array accepted; larger ones are rejected whole as `too-large`. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_SAMPLES_PER_MESSAGE = 10_000;

/** Physical plausibility limits of each field (lab units). Values outside are `out-of-range`. */
export const SAMPLE_LIMITS = {
  v: { min: -1000, max: 1000 },
  i: { min: -10_000, max: 10_000 },
  t: { min: -100, max: 1000 },
  p: { min: 0, max: 10_000 },
} as const;

const limited = (key: keyof typeof SAMPLE_LIMITS) =>
  z.number().min(SAMPLE_LIMITS[key].min).max(SAMPLE_LIMITS[key].max);
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * One telemetry sample: `ts` epoch ms of data time (fractional allowed), `v` volts, `i` amperes
 * (positive = charge = Li plated on the negative electrode), optional `t` °C, `p` stack pressure MPa,
 * `seq` per-cell counter, `cycle` and `step` from the cycler.
 */
export const SampleSchema = z.object({
  ts: z.number().min(TS_MIN_MS).max(TS_MAX_MS),
  v: limited('v'),
  i: limited('i'),
  t: limited('t').optional(),
  p: limited('p').optional(),
  seq: counter.optional(),
  cycle: counter.optional(),
  step: counter.optional(),
});
export type Sample = z.infer<typeof SampleSchema>;

/** The closed list of reasons a telemetry message or sample is rejected for. */
export const REJECT_REASONS = [
  'bad-json',
  'not-object',
  'missing-field',
  'not-finite',
  'out-of-range',
  'bad-type',
  'too-large',
  'bad-topic',
  'ts-out-of-range',
  'empty',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type SampleCheck =
  { ok: true; sample: Sample } | { ok: false; reason: RejectReason; field?: string; detail: string };

function fail(reason: RejectReason, field: string | undefined, detail: string): SampleCheck {
  return field === undefined ? { ok: false, reason, detail } : { ok: false, reason, field, detail };
}

function checkNumber(field: string, value: unknown): SampleCheck | undefined {
  if (typeof value !== 'number')
    return fail('bad-type', field, `${field} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) return fail('not-finite', field, `${field} is not finite`);
  return undefined;
}

/**
 * Validates one decoded sample without throwing. Hand-written (not `SampleSchema.safeParse`) because it
 * runs for every sample on the ingest hot path and must name a reason code; a property test keeps it in
 * agreement with SampleSchema. Unknown fields are dropped.
 */
export function checkSample(value: unknown): SampleCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not-object', undefined, 'a sample must be a JSON object');
  }
  // Each field read once, checked in a fixed order (unrolled: keyed loops over field names were the
  // larger part of this function's cost).
  const { ts, v, i, t, p, seq, cycle, step } = value as Record<string, unknown>;
  const bad =
    required('ts', ts) ??
    required('v', v) ??
    required('i', i) ??
    ((ts as number) < TS_MIN_MS || (ts as number) > TS_MAX_MS
      ? fail('ts-out-of-range', 'ts', 'ts must be epoch milliseconds between 2000 and 2100')
      : undefined) ??
    limit('v', v as number) ??
    limit('i', i as number) ??
    optionalNumber('t', t) ??
    optionalNumber('p', p) ??
    optionalCounter('seq', seq) ??
    optionalCounter('cycle', cycle) ??
    optionalCounter('step', step);
  if (bad) return bad;
  const sample: Sample = { ts: ts as number, v: v as number, i: i as number };
  if (t !== undefined && t !== null) sample.t = t as number;
  if (p !== undefined && p !== null) sample.p = p as number;
  if (seq !== undefined && seq !== null) sample.seq = seq as number;
  if (cycle !== undefined && cycle !== null) sample.cycle = cycle as number;
  if (step !== undefined && step !== null) sample.step = step as number;
  return { ok: true, sample };
}

function required(field: string, x: unknown): SampleCheck | undefined {
  if (x === undefined || x === null) return fail('missing-field', field, `${field} is missing`);
  return checkNumber(field, x);
}

function limit(field: keyof typeof SAMPLE_LIMITS, x: number): SampleCheck | undefined {
  const { min, max } = SAMPLE_LIMITS[field];
  return x < min || x > max
    ? fail('out-of-range', field, `${field} must be within [${min}, ${max}]`)
    : undefined;
}

function optionalNumber(field: 't' | 'p', x: unknown): SampleCheck | undefined {
  if (x === undefined || x === null) return undefined;
  return checkNumber(field, x) ?? limit(field, x as number);
}

function optionalCounter(field: string, x: unknown): SampleCheck | undefined {
  if (x === undefined || x === null) return undefined;
  const bad = checkNumber(field, x);
  if (bad) return bad;
  return Number.isSafeInteger(x) && (x as number) >= 0
    ? undefined
    : fail('out-of-range', field, `${field} must be a non-negative integer`);
}

export interface SampleRejection {
  /** Position in the message's array (0 for a single object). */
  index: number;
  reason: RejectReason;
  detail: string;
}

export type TelemetryDecode =
  | { ok: true; samples: Sample[]; rejected: SampleRejection[] }
  | { ok: false; reason: RejectReason; detail: string };

/**
 * Decodes a telemetry payload (one sample object or an array of them). Never throws. A message that
 * cannot be read at all is rejected whole; in an array, good samples are kept and each bad one is
 * reported with its index.
 */
export function decodeTelemetry(payload: Uint8Array | string): TelemetryDecode {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      reason: 'too-large',
      detail: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`,
    };
  }
  if (typeof payload !== 'string') {
    // The common case (plain sample objects, all valid) read straight from the bytes; the rest below.
    const samples = scanSamples(asBuffer(payload), SCAN_LIMITS);
    if (samples) return { ok: true, samples, rejected: [] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof payload === 'string' ? payload : utf8(payload));
  } catch {
    return { ok: false, reason: 'bad-json', detail: 'payload is not valid JSON' };
  }
  if (!Array.isArray(parsed)) {
    const check = checkSample(parsed);
    return check.ok
      ? { ok: true, samples: [check.sample], rejected: [] }
      : { ok: false, reason: check.reason, detail: check.detail };
  }
  if (parsed.length === 0) return { ok: false, reason: 'empty', detail: 'empty sample array' };
  if (parsed.length > MAX_SAMPLES_PER_MESSAGE) {
    return {
      ok: false,
      reason: 'too-large',
      detail: `${parsed.length} samples exceed ${MAX_SAMPLES_PER_MESSAGE} per message`,
    };
  }
  const samples: Sample[] = [];
  const rejected: SampleRejection[] = [];
  for (let index = 0; index < parsed.length; index++) {
    const check = checkSample(parsed[index]);
    if (check.ok) samples.push(check.sample);
    else rejected.push({ index, reason: check.reason, detail: check.detail });
  }
  return { ok: true, samples, rejected };
}

/** The validation limits, in the scanner's flat form (its spec decodes with the same). */
export const SCAN_LIMITS: ScanLimits = {
  tsMin: TS_MIN_MS,
  tsMax: TS_MAX_MS,
  vMin: SAMPLE_LIMITS.v.min,
  vMax: SAMPLE_LIMITS.v.max,
  iMin: SAMPLE_LIMITS.i.min,
  iMax: SAMPLE_LIMITS.i.max,
  tMin: SAMPLE_LIMITS.t.min,
  tMax: SAMPLE_LIMITS.t.max,
  pMin: SAMPLE_LIMITS.p.min,
  pMax: SAMPLE_LIMITS.p.max,
  maxSamples: MAX_SAMPLES_PER_MESSAGE,
};

/** A Buffer on the same memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes bytes without copying them first (a Buffer or a view on the same memory). */
function utf8(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('utf8');
}
