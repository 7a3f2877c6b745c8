import { open } from 'node:fs/promises';
import { readArbin } from './arbin.js';
import { readBatteryArchive } from './batteryarchive.js';
import { readBiologic } from './biologic.js';
import { readGenericCsv, type ColumnMap } from './generic-csv.js';
import { readMaccor } from './maccor.js';
import { readNeware } from './neware.js';
import { sniffFormat, type SniffResult } from './sniff.js';
import type { ReaderOptions, ReplayFormat, ReplayReader, ReplaySource } from './types.js';

export interface OpenReplayOptions extends ReaderOptions {
  format?: ReplayFormat | 'auto';
  /** Column map for generic CSV (required for it). */
  map?: ColumnMap | string;
  /** Generic CSV: whether the first line holds column names (default: detected). */
  header?: boolean;
}

export interface OpenedReplay {
  reader: ReplayReader;
  format: ReplayFormat;
  /** Why the format was chosen ('given' when the caller named it). */
  reason: string;
}

const sniffBytes = 64 * 1024;

/** Opens a reader for a source in the given format, or sniffs the format from its first lines. */
export async function openReplay(
  source: ReplaySource,
  options: OpenReplayOptions = {},
): Promise<OpenedReplay> {
  let sniffed: SniffResult | undefined;
  let input = source;
  if (options.format === undefined || options.format === 'auto') {
    const peeked = await peek(source);
    input = peeked.source;
    sniffed = sniffFormat(firstLines(peeked.head, peeked.complete));
  }
  const format = sniffed?.format ?? (options.format as ReplayFormat);
  const reason = sniffed?.reason ?? 'given';
  return { reader: readerFor(format, input, options), format, reason };
}

export function readerFor(
  format: ReplayFormat,
  source: ReplaySource,
  options: OpenReplayOptions,
): ReplayReader {
  switch (format) {
    case 'biologic':
      return readBiologic(source, options);
    case 'arbin':
      return readArbin(source, options);
    case 'maccor':
      return readMaccor(source, options);
    case 'neware':
      return readNeware(source, options);
    case 'batteryarchive':
      return readBatteryArchive(source, options);
    case 'csv':
      if (options.map === undefined)
        throw new RangeError('a generic CSV needs a column map (time=,voltage=,current=)');
      return readGenericCsv(source, { ...options, map: options.map });
  }
}

function firstLines(head: Buffer, complete: boolean): string[] {
  const lines = head.toString('latin1').split('\n');
  if (!complete && lines.length > 1) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Reads the head of a source without losing it: a path is read twice, a stream is re-chained. */
async function peek(
  source: ReplaySource,
): Promise<{ head: Buffer; complete: boolean; source: ReplaySource }> {
  if (typeof source === 'string') {
    const file = await open(source, 'r');
    try {
      const buffer = Buffer.alloc(sniffBytes);
      const { bytesRead } = await file.read(buffer, 0, sniffBytes, 0);
      return { head: buffer.subarray(0, bytesRead), complete: bytesRead < sniffBytes, source };
    } finally {
      await file.close();
    }
  }
  const iterator = source[Symbol.asyncIterator]();
  const taken: (Uint8Array | string)[] = [];
  let size = 0;
  let complete = false;
  while (size < sniffBytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    const chunk = next.value as Uint8Array | string;
    taken.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(
    taken.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)),
  );
  async function* rechained(): AsyncGenerator<Uint8Array | string> {
    yield* taken;
    if (complete) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Uint8Array | string;
    }
  }
  return { head, complete, source: rechained() };
}
