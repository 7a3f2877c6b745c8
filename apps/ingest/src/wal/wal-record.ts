import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import type { AlertEvent, Sample } from '#contracts';
import type { SampleColumns } from '#store';

/**
 * Binary write-ahead-log records, little endian:
 *   u32 bodyLength | u32 crc32(body) | body
 * body of a samples record (one accepted MQTT message):
 *   u8 type=1 | u8 rigLength | rig | u8 cellLength | cell | u32 count | count × 8 float64
 *   (ts, v, i, t, p, seq, cycle, step; NaN = absent)
 * body of an alert record: u8 type=2 | UTF-8 JSON of the AlertEvent.
 * Binary rather than JSON lines because encoding is on the path before the PUBACK: eight doubles per
 * sample cost less than JSON.stringify, and the CRC lets a reader find a torn last record after a crash.
 */
export const RECORD_HEADER_BYTES = 8;
export const SAMPLE_FIELDS = 8;
const SAMPLE_BYTES = SAMPLE_FIELDS * 8;
const TYPE_SAMPLES = 1;
const TYPE_ALERT = 2;
/** Largest body a reader accepts; anything longer is a torn or corrupt length field. */
export const MAX_RECORD_BODY_BYTES = 16 * 1024 * 1024;

/** Bytes of the samples record `encodeSamplesInto` writes. */
export function samplesRecordLength(rigId: string, cellId: string, count: number): number {
  // Ids are [A-Za-z0-9_.-]{1,64} (validated from the topic), so one byte per character.
  return RECORD_HEADER_BYTES + 1 + 1 + rigId.length + 1 + cellId.length + 4 + count * SAMPLE_BYTES;
}

/** Encodes one accepted message's samples for one cell. */
export function encodeSamples(rigId: string, cellId: string, samples: readonly Sample[]): Buffer {
  const buf = Buffer.allocUnsafe(samplesRecordLength(rigId, cellId, samples.length));
  encodeSamplesInto(buf, 0, rigId, cellId, samples);
  return buf;
}

/**
 * Encodes the record at `start` of `buf`, which must have `samplesRecordLength` bytes free there (the
 * log appends into one buffer per flush instead of allocating a buffer per message). Returns its end.
 */
export function encodeSamplesInto(
  buf: Buffer,
  start: number,
  rigId: string,
  cellId: string,
  samples: readonly Sample[],
): number {
  let o = start + RECORD_HEADER_BYTES;
  buf[o++] = TYPE_SAMPLES;
  o = writeId(buf, o, rigId);
  o = writeId(buf, o, cellId);
  buf.writeUInt32LE(samples.length, o);
  o += 4;
  if (LITTLE_ENDIAN) {
    // Into an aligned Float64Array, then one copy: eight writeDoubleLE calls per sample cost more.
    const doubles = scratchDoubles(samples.length);
    let d = 0;
    for (const s of samples) {
      doubles[d] = s.ts;
      doubles[d + 1] = s.v;
      doubles[d + 2] = s.i;
      doubles[d + 3] = s.t ?? NaN;
      doubles[d + 4] = s.p ?? NaN;
      doubles[d + 5] = s.seq ?? NaN;
      doubles[d + 6] = s.cycle ?? NaN;
      doubles[d + 7] = s.step ?? NaN;
      d += SAMPLE_FIELDS;
    }
    const bytes = samples.length * SAMPLE_BYTES;
    buf.set(new Uint8Array(doubles.buffer, 0, bytes), o);
    o += bytes;
  } else {
    for (const s of samples) {
      buf.writeDoubleLE(s.ts, o);
      buf.writeDoubleLE(s.v, o + 8);
      buf.writeDoubleLE(s.i, o + 16);
      buf.writeDoubleLE(s.t ?? NaN, o + 24);
      buf.writeDoubleLE(s.p ?? NaN, o + 32);
      buf.writeDoubleLE(s.seq ?? NaN, o + 40);
      buf.writeDoubleLE(s.cycle ?? NaN, o + 48);
      buf.writeDoubleLE(s.step ?? NaN, o + 56);
      o += SAMPLE_BYTES;
    }
  }
  // A plain view for the checksum: Buffer#subarray costs more than the checksum of a small record.
  const body = new Uint8Array(
    buf.buffer,
    buf.byteOffset + start + RECORD_HEADER_BYTES,
    o - start - RECORD_HEADER_BYTES,
  );
  buf.writeUInt32LE(body.length, start);
  buf.writeUInt32LE(crc32(body), start + 4);
  return o;
}

/** The records' byte order is the machine's (nearly always): doubles are copied as they are in memory. */
const LITTLE_ENDIAN = endianness() === 'LE';
let scratch = new Float64Array(SAMPLE_FIELDS * 1024);

/** A scratch array for `count` samples' doubles (one encode or decode at a time: all synchronous). */
function scratchDoubles(count: number): Float64Array {
  if (scratch.length < count * SAMPLE_FIELDS) scratch = new Float64Array(count * SAMPLE_FIELDS);
  return scratch;
}

/** A length byte and the id's characters (ASCII: see samplesRecordLength); a loop beats a native call here. */
function writeId(buf: Buffer, start: number, id: string): number {
  buf[start] = id.length;
  for (let k = 0; k < id.length; k++) buf[start + 1 + k] = id.charCodeAt(k);
  return start + 1 + id.length;
}

export function encodeAlert(alert: AlertEvent): Buffer {
  const json = JSON.stringify(alert);
  const bodyLength = 1 + Buffer.byteLength(json);
  const buf = Buffer.allocUnsafe(RECORD_HEADER_BYTES + bodyLength);
  buf[RECORD_HEADER_BYTES] = TYPE_ALERT;
  buf.write(json, RECORD_HEADER_BYTES + 1, 'utf8');
  return seal(buf);
}

function seal(buf: Buffer): Buffer {
  const body = buf.subarray(RECORD_HEADER_BYTES);
  buf.writeUInt32LE(body.length, 0);
  buf.writeUInt32LE(crc32(body), 4);
  return buf;
}

export type ReadResult =
  /** A samples record: its `count` samples were appended to the caller's columns. */
  | { kind: 'samples'; count: number; length: number }
  | { kind: 'alert'; alert: AlertEvent; length: number }
  /** Not enough bytes in the buffer for the whole record (read more, or it is torn at end of file). */
  | { kind: 'incomplete'; needed: number }
  /** Length or checksum wrong: a torn or corrupt record. Nothing after it in the segment is trusted. */
  | { kind: 'corrupt'; detail: string };

/**
 * Reads the record starting at `offset` of `buf` (which ends at `end`); a samples record is decoded
 * onto the end of `samples`. The checksum is verified unless `verify` is false (records this process
 * wrote itself and reads back: they cannot be torn).
 */
export function readRecord(
  buf: Buffer,
  offset: number,
  end: number,
  samples: SampleColumns,
  verify = true,
): ReadResult {
  if (end - offset < RECORD_HEADER_BYTES) return { kind: 'incomplete', needed: RECORD_HEADER_BYTES };
  const bodyLength = buf.readUInt32LE(offset);
  if (bodyLength < 2 || bodyLength > MAX_RECORD_BODY_BYTES) {
    return { kind: 'corrupt', detail: `record length ${bodyLength} out of range` };
  }
  const total = RECORD_HEADER_BYTES + bodyLength;
  if (end - offset < total) return { kind: 'incomplete', needed: total };
  const body = buf.subarray(offset + RECORD_HEADER_BYTES, offset + total);
  if (verify && crc32(body) !== buf.readUInt32LE(offset + 4))
    return { kind: 'corrupt', detail: 'checksum mismatch' };
  if (body[0] === TYPE_ALERT) {
    try {
      return { kind: 'alert', alert: JSON.parse(body.toString('utf8', 1)) as AlertEvent, length: total };
    } catch {
      return { kind: 'corrupt', detail: 'unreadable alert' };
    }
  }
  const count = body[0] === TYPE_SAMPLES ? decodeSamples(body, samples) : -1;
  return count >= 0 ? { kind: 'samples', count, length: total } : { kind: 'corrupt', detail: 'unknown body' };
}

/** Appends a samples body to the columns; -1 (and nothing appended) if its length does not add up. */
function decodeSamples(body: Buffer, samples: SampleColumns): number {
  let o = 1;
  const rigLength = body[o++] ?? 0;
  const rigId = body.toString('latin1', o, o + rigLength);
  o += rigLength;
  const cellLength = body[o++] ?? 0;
  const cellId = body.toString('latin1', o, o + cellLength);
  o += cellLength;
  const count = body.readUInt32LE(o);
  o += 4;
  if (o + count * SAMPLE_BYTES !== body.length) return -1;
  const first = samples.add(rigId, cellId, count);
  if (LITTLE_ENDIAN) {
    // One copy into an aligned Float64Array, then plain reads (see encodeSamplesInto).
    const doubles = scratchDoubles(count);
    new Uint8Array(doubles.buffer, 0, count * SAMPLE_BYTES).set(
      new Uint8Array(body.buffer, body.byteOffset + o, count * SAMPLE_BYTES),
    );
    for (let k = first, d = 0; k < first + count; k++, d += SAMPLE_FIELDS) {
      samples.ts[k] = doubles[d]!;
      samples.v[k] = doubles[d + 1]!;
      samples.i[k] = doubles[d + 2]!;
      samples.t[k] = doubles[d + 3]!;
      samples.p[k] = doubles[d + 4]!;
      samples.seq[k] = doubles[d + 5]!;
      samples.cycle[k] = doubles[d + 6]!;
      samples.step[k] = doubles[d + 7]!;
    }
    return count;
  }
  for (let k = first; k < first + count; k++, o += SAMPLE_BYTES) {
    // NaN (absent) in the record is NaN (absent) in the columns.
    samples.ts[k] = body.readDoubleLE(o);
    samples.v[k] = body.readDoubleLE(o + 8);
    samples.i[k] = body.readDoubleLE(o + 16);
    samples.t[k] = body.readDoubleLE(o + 24);
    samples.p[k] = body.readDoubleLE(o + 32);
    samples.seq[k] = body.readDoubleLE(o + 40);
    samples.cycle[k] = body.readDoubleLE(o + 48);
    samples.step[k] = body.readDoubleLE(o + 56);
  }
  return count;
}
