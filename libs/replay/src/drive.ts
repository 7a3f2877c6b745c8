import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import {
  ReaderError,
  type ReadSummary,
  type ReplayFormat,
  type ReplayReader,
  type ReplaySample,
  type ReplaySource,
} from './types.js';

/** A format's line-by-line parser. It pushes samples onto `out` and throws ReaderError on a bad line. */
export interface LineParser {
  line(text: string, lineNo: number, out: ReplaySample[], isLast: boolean): void;
  /** Called once after the last line, to refuse a file that ended inside its header. */
  end(lastLineNo: number): void;
}

const chunkBytes = 256 * 1024;
/** Most samples in one batch, so memory stays bounded whatever the input's chunk size. */
const maxBatch = 8192;

function chunksOf(source: ReplaySource): AsyncIterable<Uint8Array | string> {
  return typeof source === 'string' ? createReadStream(source, { highWaterMark: chunkBytes }) : source;
}

export function newSummary(format: ReplayFormat): ReadSummary {
  return { format, lines: 0, rows: 0, samples: 0, skipped: {}, columns: {}, notes: [] };
}

export function countSkip(summary: ReadSummary, reason: string): void {
  summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
}

/**
 * Splits the decoded input into lines (LF or CRLF) and feeds them to the parser, yielding the samples
 * of each chunk as one batch. Samples parsed before a ReaderError are yielded, then the error is thrown.
 */
async function* drive(
  source: ReplaySource,
  encoding: 'latin1' | 'utf8',
  parser: LineParser,
  summary: ReadSummary,
): AsyncGenerator<ReplaySample[]> {
  const decoder = new StringDecoder(encoding);
  // Latin-1 has no multi-byte characters to carry across chunks: decode directly. Buffer.from(chunk)
  // would copy every chunk, so a Buffer is used as is.
  const decode = (chunk: Uint8Array): string => {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    return encoding === 'latin1' ? buffer.toString('latin1') : decoder.write(buffer);
  };
  let rest = '';
  let lineNo = 0;
  let out: ReplaySample[] = [];
  let failure: unknown;
  try {
    for await (const chunk of chunksOf(source)) {
      const text = rest + (typeof chunk === 'string' ? chunk : decode(chunk));
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl === -1) break;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        lineNo++;
        parser.line(text.slice(start, end), lineNo, out, false);
        start = nl + 1;
        if (out.length >= maxBatch) {
          summary.lines = lineNo;
          summary.samples += out.length;
          yield out;
          out = [];
        }
      }
      rest = text.slice(start);
      summary.lines = lineNo;
      summary.samples += out.length;
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    rest += decoder.end();
    if (rest.length > 0) {
      lineNo++;
      const end = rest.charCodeAt(rest.length - 1) === 13 ? rest.length - 1 : rest.length;
      parser.line(rest.slice(0, end), lineNo, out, true);
    }
    summary.lines = lineNo;
    parser.end(lineNo);
  } catch (error) {
    failure = error;
  }
  summary.samples += out.length;
  if (out.length > 0) yield out;
  if (failure !== undefined) throw failure;
}

export function makeReader(
  source: ReplaySource,
  encoding: 'latin1' | 'utf8',
  summary: ReadSummary,
  parser: LineParser,
): ReplayReader {
  let started = false;
  return {
    summary,
    [Symbol.asyncIterator]() {
      if (started) throw new Error('a ReplayReader can be iterated once');
      started = true;
      return drive(source, encoding, parser, summary);
    },
  };
}

/** All samples of a reader in one array (for small files and tests). */
export async function readAll(reader: ReplayReader): Promise<ReplaySample[]> {
  const all: ReplaySample[] = [];
  for await (const batch of reader) for (const sample of batch) all.push(sample);
  return all;
}

/** The samples of a reader one by one (convenient, slower than iterating batches). */
export async function* samplesOf(reader: ReplayReader): AsyncGenerator<ReplaySample> {
  for await (const batch of reader) yield* batch;
}

export { ReaderError };
