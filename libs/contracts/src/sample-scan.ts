import type { Sample } from './sample.js';

/*
 * A fast path for the telemetry payloads nearly every rig sends: one sample object, or an array of them,
 * with only the known fields, numbers (or null for an optional field) as values, and every sample valid.
 * The bytes are read straight into the Sample objects the pipeline keeps, without JSON.parse's
 * intermediate objects, the UTF-8 string decoded first, or a second object per sample made by the
 * validation. Anything else (an unknown or repeated key, an escape, a string value, a bad or out-of-range
 * value, a syntax error) returns undefined and the caller takes the general path (JSON.parse and
 * checkSample), which gives the same samples for what this accepts and the reasons for what it does not.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** Field slots, in the order checkSample builds a sample. */
const TS = 0;
const V = 1;
const I = 2;
const T = 3;
const P = 4;
const SEQ = 5;
const CYCLE = 6;
const STEP = 7;
const FIELDS = 8;

/** 10^0 … 10^22: every one is exactly a double, so m × 10^e and m / 10^e round once, correctly. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Largest mantissa that may take one more digit and stay below 2^53 (exact). */
const MANTISSA_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER - 9) / 10);

export interface ScanLimits {
  tsMin: number;
  tsMax: number;
  vMin: number;
  vMax: number;
  iMin: number;
  iMax: number;
  tMin: number;
  tMax: number;
  pMin: number;
  pMax: number;
  maxSamples: number;
}

/**
 * Scanner state between calls (one scan at a time: it is synchronous). Values of the object being read
 * and which fields it has, so no object is made until the sample is known to be valid.
 */
const values = new Float64Array(FIELDS);
/** 1 = present as a number, 2 = present as null (optional fields), 0 = absent. */
const seen = new Uint8Array(FIELDS);
let pos = 0;
let value = 0;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Uint8Array, end: number): void {
  while (pos < end && isSpace(b[pos]!)) pos++;
}

/**
 * The field slot of the key at `pos` (after its opening quote), moving past the closing quote; -1 for
 * any other key (or one with an escape).
 */
function key(b: Uint8Array, end: number): number {
  const c0 = b[pos];
  const c1 = pos + 1 < end ? b[pos + 1] : 0;
  let slot = -1;
  let length = 0;
  if (c1 === QUOTE) {
    length = 1;
    if (c0 === 0x76) slot = V;
    else if (c0 === 0x69) slot = I;
    else if (c0 === 0x74) slot = T;
    else if (c0 === 0x70) slot = P;
  } else if (c0 === 0x74 && c1 === 0x73 && b[pos + 2] === QUOTE) {
    slot = TS;
    length = 2;
  } else if (matches(b, end, 'seq"')) {
    slot = SEQ;
    length = 3;
  } else if (matches(b, end, 'step"')) {
    slot = STEP;
    length = 4;
  } else if (matches(b, end, 'cycle"')) {
    slot = CYCLE;
    length = 5;
  }
  if (slot >= 0) pos += length + 1;
  return slot;
}

function matches(b: Uint8Array, end: number, text: string): boolean {
  if (pos + text.length > end) return false;
  for (let k = 0; k < text.length; k++) if (b[pos + k] !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * A JSON number at `pos` into `value`; false if the text there is not one. Up to 15 significant digits
 * with a decimal exponent within ±22 is computed exactly rounded here; anything longer is handed to
 * Number() (both round correctly, so both give JSON.parse's double).
 */
function number(b: Buffer, end: number): boolean {
  const start = pos;
  let negative = false;
  if (b[pos] === MINUS) {
    negative = true;
    pos++;
  }
  let mantissa = 0;
  let exponent = 0;
  let exact = true;
  let c = b[pos];
  if (c === ZERO) {
    pos++;
    c = b[pos];
    if (c !== undefined && c >= ZERO && c <= NINE) return false; // leading zero
  } else if (c !== undefined && c > ZERO && c <= NINE) {
    while (pos < end && (c = b[pos]!) >= ZERO && c <= NINE) {
      if (mantissa <= MANTISSA_LIMIT) mantissa = mantissa * 10 + (c - ZERO);
      else {
        exact = false;
        exponent++;
      }
      pos++;
    }
  } else return false;
  if (pos < end && b[pos] === DOT) {
    pos++;
    const first = pos;
    while (pos < end && (c = b[pos]!) >= ZERO && c <= NINE) {
      if (mantissa <= MANTISSA_LIMIT) {
        mantissa = mantissa * 10 + (c - ZERO);
        exponent--;
      } else exact = false;
      pos++;
    }
    if (pos === first) return false;
  }
  if (pos < end && (b[pos] === LOWER_E || b[pos] === UPPER_E)) {
    pos++;
    let sign = 1;
    if (b[pos] === MINUS || b[pos] === PLUS) {
      if (b[pos] === MINUS) sign = -1;
      pos++;
    }
    const first = pos;
    let e = 0;
    while (pos < end && (c = b[pos]!) >= ZERO && c <= NINE) {
      if (e < 100_000) e = e * 10 + (c - ZERO);
      pos++;
    }
    if (pos === first) return false;
    exponent += sign * e;
  }
  if (exact && mantissa === 0) value = 0;
  else if (exact && exponent >= 0 && exponent <= 22) value = mantissa * POW10[exponent]!;
  else if (exact && exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent]!;
  else {
    value = Number(b.toString('latin1', start, pos));
    return Number.isFinite(value);
  }
  if (negative) value = -value;
  return true;
}

/** `null` at `pos`. */
function isNull(b: Uint8Array, end: number): boolean {
  if (pos + 4 > end || b[pos] !== 0x6e || b[pos + 1] !== 0x75 || b[pos + 2] !== 0x6c || b[pos + 3] !== 0x6c)
    return false;
  pos += 4;
  return true;
}

const inRange = (x: number, min: number, max: number): boolean => x >= min && x <= max;
const isCounter = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

/** One sample object at `pos`; undefined if it is not in the fast path's shape or not valid. */
function sample(b: Buffer, end: number, limits: ScanLimits): Sample | undefined {
  if (b[pos] !== OPEN_OBJECT) return undefined;
  pos++;
  seen.fill(0);
  skipSpace(b, end);
  if (b[pos] === CLOSE_OBJECT) return undefined; // no fields: the general path names what is missing
  for (;;) {
    if (b[pos] !== QUOTE) return undefined;
    pos++;
    const slot = key(b, end);
    if (slot < 0 || seen[slot] !== 0) return undefined; // unknown or repeated key
    skipSpace(b, end);
    if (b[pos] !== COLON) return undefined;
    pos++;
    skipSpace(b, end);
    if (slot >= T && isNull(b, end)) seen[slot] = 2;
    else if (number(b, end)) {
      values[slot] = value;
      seen[slot] = 1;
    } else return undefined;
    skipSpace(b, end);
    const c = b[pos];
    pos++;
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA) return undefined;
    skipSpace(b, end);
  }
  if (seen[TS] !== 1 || seen[V] !== 1 || seen[I] !== 1) return undefined;
  const ts = values[TS]!;
  const v = values[V]!;
  const i = values[I]!;
  if (!inRange(ts, limits.tsMin, limits.tsMax)) return undefined;
  if (!inRange(v, limits.vMin, limits.vMax) || !inRange(i, limits.iMin, limits.iMax)) return undefined;
  const s: Sample = { ts, v, i };
  if (seen[T] === 1) {
    if (!inRange(values[T]!, limits.tMin, limits.tMax)) return undefined;
    s.t = values[T]!;
  }
  if (seen[P] === 1) {
    if (!inRange(values[P]!, limits.pMin, limits.pMax)) return undefined;
    s.p = values[P]!;
  }
  if (seen[SEQ] === 1) {
    if (!isCounter(values[SEQ]!)) return undefined;
    s.seq = values[SEQ]!;
  }
  if (seen[CYCLE] === 1) {
    if (!isCounter(values[CYCLE]!)) return undefined;
    s.cycle = values[CYCLE]!;
  }
  if (seen[STEP] === 1) {
    if (!isCounter(values[STEP]!)) return undefined;
    s.step = values[STEP]!;
  }
  return s;
}

/**
 * The samples of a payload in the plain shape (see above), all valid; undefined when the payload needs
 * the general path.
 */
export function scanSamples(b: Buffer, limits: ScanLimits): Sample[] | undefined {
  const end = b.length;
  pos = 0;
  skipSpace(b, end);
  const out: Sample[] = [];
  if (b[pos] === OPEN_ARRAY) {
    pos++;
    skipSpace(b, end);
    for (;;) {
      const s = sample(b, end, limits);
      if (!s || out.length >= limits.maxSamples) return undefined;
      out.push(s);
      skipSpace(b, end);
      const c = b[pos];
      pos++;
      if (c === CLOSE_ARRAY) break;
      if (c !== COMMA) return undefined;
      skipSpace(b, end);
    }
  } else {
    const s = sample(b, end, limits);
    if (!s) return undefined;
    out.push(s);
  }
  skipSpace(b, end);
  return pos === end ? out : undefined;
}
