import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { telemetryTopic, type DeadLetter, type Sample } from '#contracts';
import type { SampleColumns } from '#store';

/** Where the pipeline hands what it refuses (a file in production; tests may collect). Must not block. */
export interface DeadLetterSink {
  add(letter: DeadLetter): void;
}

export interface DeadLetterFileOptions {
  dir: string;
  /** Bound of the file and its one rotated predecessor together (bytes). */
  maxBytes: number;
  /** Lines waiting to be written at most (bytes); beyond it letters are dropped (counted). */
  bufferBytes?: number;
  flushInterval_ms?: number;
}

export type { DeadLetter };
export const DEAD_LETTER_FILE = 'dead-letters.jsonl';
const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The payload as a dead letter holds it: text where it is text, base64 otherwise, cut to a bound. */
export function deadLetterPayload(
  payload: Buffer,
): Pick<DeadLetter, 'payload' | 'payloadBase64' | 'truncated'> {
  const kept = payload.length > MAX_PAYLOAD_BYTES ? payload.subarray(0, MAX_PAYLOAD_BYTES) : payload;
  const text = kept.toString('utf8');
  const body =
    Buffer.byteLength(text) === kept.length && !text.includes('\uFFFD')
      ? { payload: text }
      : { payloadBase64: kept.toString('base64') };
  return kept === payload ? body : { ...body, truncated: true };
}

/**
 * JSON lines under SANDGLASS_DATA_DIR/dead-letters, written off the hot path once a second. Bounded on
 * disk (the file rotates to `.1` at half the bound, the older `.1` goes) and in memory.
 */
export class DeadLetterFile implements DeadLetterSink {
  readonly file: string;
  written = 0;
  dropped = 0;
  private lines: string[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly bufferBytes: number;

  constructor(
    private readonly options: DeadLetterFileOptions,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.file = path.join(options.dir, DEAD_LETTER_FILE);
    this.bufferBytes = options.bufferBytes ?? 4 * 1024 * 1024;
  }

  add(letter: DeadLetter): void {
    const line = JSON.stringify(letter) + '\n';
    if (this.buffered + line.length > this.bufferBytes) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.buffered += line.length;
  }

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.options.flushInterval_ms ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    const count = this.lines.length;
    this.lines = [];
    this.buffered = 0;
    try {
      mkdirSync(this.options.dir, { recursive: true });
      const size = this.size();
      if (size > 0 && size + text.length > this.options.maxBytes / 2) renameSync(this.file, `${this.file}.1`);
      appendFileSync(this.file, text);
      this.written += count;
    } catch (error) {
      this.dropped += count;
      this.onError(error);
    }
  }

  private size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }
}

/** A batch the store refused, as one dead letter per cell whose payload is its samples (replayable as sent). */
export function refusedBatchLetters(
  samples: SampleColumns,
  reason: string,
  detail: string,
  at: number,
): DeadLetter[] {
  const byCell = new Map<string, { rigId: string; cellId: string; samples: Sample[] }>();
  for (let n = 0; n < samples.length; n++) {
    const rigId = samples.rigId[n]!;
    const cellId = samples.cellId[n]!;
    const key = telemetryTopic(rigId, cellId);
    let cell = byCell.get(key);
    if (!cell) byCell.set(key, (cell = { rigId, cellId, samples: [] }));
    const sample: Sample = { ts: samples.ts[n]!, v: samples.v[n]!, i: samples.i[n]! };
    if (!Number.isNaN(samples.t[n]!)) sample.t = samples.t[n]!;
    if (!Number.isNaN(samples.p[n]!)) sample.p = samples.p[n]!;
    if (!Number.isNaN(samples.seq[n]!)) sample.seq = samples.seq[n]!;
    if (!Number.isNaN(samples.cycle[n]!)) sample.cycle = samples.cycle[n]!;
    if (!Number.isNaN(samples.step[n]!)) sample.step = samples.step[n]!;
    cell.samples.push(sample);
  }
  return [...byCell].map(([topic, cell]) => ({
    at,
    reason,
    detail,
    topic,
    payload: JSON.stringify(cell.samples),
  }));
}
