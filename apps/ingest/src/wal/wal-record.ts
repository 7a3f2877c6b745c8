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
  seal(buf.subarray(start, o));
  return o;
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
