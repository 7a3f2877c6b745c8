import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AlertEvent, Sample } from '#contracts';
import { SampleColumns } from '#store';
import {
  encodeAlert,
  encodeSamplesInto,
  readRecord,
  SAMPLE_FIELDS,
  samplesRecordLength,
} from './wal-record.js';

/** A place in the log: byte `offset` of segment number `segment`. */
export interface WalPosition {
  segment: number;
  offset: number;
}

export interface WalOptions {
  dir: string;
  /** Largest amount of not-yet-stored log (bytes) before the log reports itself full. */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. Default: maxBytes / 8, in [64 KiB, 64 MiB]. */
  segmentBytes?: number;
  /** Group fsync interval (ms); 0 turns the timer off (tests). */
  fsyncInterval_ms?: number;
  /** Smallest interval between two checkpoint file writes (ms). */
  checkpointInterval_ms?: number;
  /** Called with a human-readable warning (fill levels, torn records). */
  warn?: (message: string) => void;
}

export interface WalReadResult {
  /** The samples of the records read, in log order. */
  samples: SampleColumns;
  alerts: AlertEvent[];
  /** Position just after the last record read: commit it once the samples and alerts are stored. */
  end: WalPosition;
}

const SEGMENT_SUFFIX = '.wal';
const CHECKPOINT_FILE = 'checkpoint.json';
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const FILL_WARNINGS = [0.5, 0.8, 0.9, 1];

const segmentName = (n: number): string => String(n).padStart(12, '0') + SEGMENT_SUFFIX;

/**
 * Append-only segment files plus a checkpoint: the durable buffer between the MQTT PUBACK and the store.
 * `append*` encode into memory, `flush` writes them with one synchronous write (before the PUBACKs of
 * those messages leave the process), and a timer fsyncs in groups. `read` walks the log from a position,
 * `commit` records how far the store holds it and deletes the segments before that point. Every start
 * opens a fresh segment, so a torn record at the end of the previous process's last segment is only
 * ever read, detected by its checksum or length, and skipped.
 */
export class WriteAheadLog {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly warn: (message: string) => void;
  private readonly fsyncInterval_ms: number;
  /** Sizes of the segments on disk, by number; the current one's is its flushed size. */
  private readonly sizes = new Map<number, number>();
  private current = 0;
  /** Segments from this number on were written by this process: whole, so their checksums need no check. */
  private firstOwnSegment = 0;
  private fd = -1;
  /** Records appended since the last flush, encoded one after another. */
  private pending = Buffer.allocUnsafe(256 * 1024);
  private pendingBytes = 0;
  private dirty = false;
  private fsyncing = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private checkpoint: WalPosition = { segment: 0, offset: 0 };
  private warnedFill = 0;
  private checkpointWrittenAt = -Infinity;
  private checkpointWriting = false;
  private checkpointAgain = false;
  private checkpointWrites = 0;
  /** Stored segments to delete once the checkpoint past them is on disk. */
  private readonly deletable: number[] = [];
  private readonly checkpointInterval_ms: number;
  private readonly readFds = new Map<number, number>();
  private readChunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  /** Bytes appended since open (including replayed ones it found on disk). */
  appendedBytes = 0;
  fsyncCount = 0;
  /** Group writes (flushes that wrote something) since open. */
  writeCount = 0;

  constructor(options: WalOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes =
      options.segmentBytes ??
      Math.min(64 * 1024 * 1024, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
    this.fsyncInterval_ms = options.fsyncInterval_ms ?? 20;
    this.checkpointInterval_ms = options.checkpointInterval_ms ?? 200;
    this.warn = options.warn ?? (() => undefined);
  }

  /** Opens the log: reads the checkpoint, drops segments already stored, starts a new segment. */
  open(): WalPosition {
    fs.mkdirSync(this.dir, { recursive: true });
    const numbers = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX))
      .map((f) => Number.parseInt(f, 10))
      .filter((n) => Number.isSafeInteger(n))
      .sort((a, b) => a - b);
    this.checkpoint = this.readCheckpoint() ?? { segment: numbers[0] ?? 1, offset: 0 };
    for (const n of numbers) {
      if (n < this.checkpoint.segment) fs.rmSync(path.join(this.dir, segmentName(n)), { force: true });
      else this.sizes.set(n, fs.statSync(path.join(this.dir, segmentName(n))).size);
    }
    this.current = Math.max(this.checkpoint.segment, ...numbers) + 1;
    this.firstOwnSegment = this.current;
    this.openSegment();
    if (this.fsyncInterval_ms > 0) {
      this.fsyncTimer = setInterval(() => this.groupFsync(), this.fsyncInterval_ms);
      this.fsyncTimer.unref();
    }
    return { ...this.checkpoint };
  }

  /** Where the store's copy ends: reading starts here after a restart. */
  get committed(): WalPosition {
    return { ...this.checkpoint };
  }

  /** Bytes written (or waiting to be) that the store does not hold yet. */
  get unstoredBytes(): number {
    let total = this.pendingBytes;
    for (const [n, size] of this.sizes) if (n >= this.checkpoint.segment) total += size;
    return total - this.checkpoint.offset;
  }

  get fillRatio(): number {
    return this.unstoredBytes / this.maxBytes;
  }

  /** True when no more messages may be accepted until the store catches up. */
  get isFull(): boolean {
    return this.unstoredBytes >= this.maxBytes;
  }

  appendSamples(rigId: string, cellId: string, samples: readonly Sample[]): void {
    const length = samplesRecordLength(rigId, cellId, samples.length);
    this.reserve(length);
    encodeSamplesInto(this.pending, this.pendingBytes, rigId, cellId, samples);
    this.pendingBytes += length;
    this.appendedBytes += length;
  }

  appendAlert(alert: AlertEvent): void {
    this.appendRaw(encodeAlert(alert));
  }

  appendRaw(record: Buffer): void {
    this.reserve(record.length);
    record.copy(this.pending, this.pendingBytes);
    this.pendingBytes += record.length;
    this.appendedBytes += record.length;
  }

  /** Grows the pending buffer to hold `bytes` more. */
  private reserve(bytes: number): void {
    const needed = this.pendingBytes + bytes;
    if (needed <= this.pending.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.pending.length * 2));
    this.pending.copy(grown, 0, 0, this.pendingBytes);
    this.pending = grown;
  }

  /** True when appended records wait for `flush`. */
  get hasPending(): boolean {
    return this.pendingBytes > 0;
  }

  /**
   * Writes everything appended so far with one synchronous write: after it returns, a killed process
   * loses none of it (the page cache survives the process); the fsync timer covers machine crashes.
   */
  flush(): void {
    const length = this.pendingBytes;
    if (length === 0) return;
    let written = 0;
    while (written < length) written += fs.writeSync(this.fd, this.pending, written, length - written);
    this.sizes.set(this.current, (this.sizes.get(this.current) ?? 0) + length);
    this.pendingBytes = 0;
    this.writeCount++;
    this.dirty = true;
    this.checkFill();
    if ((this.sizes.get(this.current) ?? 0) >= this.segmentBytes) this.roll();
  }

  /** Synchronous fsync of the current segment (shutdown). */
  sync(): void {
    if (this.fd < 0 || !this.dirty) return;
    fs.fsyncSync(this.fd);
    this.dirty = false;
    this.fsyncCount++;
  }

  /**
   * Reads records from `from` until about `maxSamples` samples (at least one record when there is one).
   * A torn or corrupt record ends its segment: the rest of that segment is skipped with a warning.
   * Given `earlier` (a read that ended at `from`), appends to it instead, counting its samples.
   */
  read(from: WalPosition, maxSamples: number, earlier?: WalReadResult): WalReadResult {
    // Room for the whole batch at once (growing from a small start copied every column several times per
    // drainer batch), but no more than the log holds after `from`: a fixed 16k rows were 1 MB of zeroed
    // columns per read, most of the drainer's cost when it reads a few hundred samples at a time.
    const samples =
      earlier?.samples ??
      new SampleColumns(Math.max(1, Math.min(maxSamples, 16_384, this.samplesAfter(from))));
    const alerts = earlier?.alerts ?? [];
    let pos = { ...from };
    for (;;) {
      if (pos.segment > this.current) break;
      const limit = this.sizes.get(pos.segment);
      if (limit === undefined || pos.offset >= limit) {
        // End of this segment: move on unless it is the one being written.
        if (pos.segment >= this.current) break;
        const next = this.nextSegment(pos.segment);
        if (next === undefined) break;
        pos = { segment: next, offset: 0 };
        continue;
      }
      const length = Math.min(limit - pos.offset, this.readChunk.length);
      const got = fs.readSync(this.readFd(pos.segment), this.readChunk, 0, length, pos.offset);
      let o = 0;
      let stop = false;
      while (o < got) {
        const result = readRecord(this.readChunk, o, got, samples, pos.segment < this.firstOwnSegment);
        if (result.kind === 'samples' || result.kind === 'alert') {
          if (result.kind === 'alert') alerts.push(result.alert);
          o += result.length;
          if (samples.length >= maxSamples) {
            stop = true;
            break;
          }
          continue;
        }
        if (result.kind === 'incomplete' && pos.offset + o + result.needed <= limit) {
          if (o === 0)
            this.readChunk = Buffer.allocUnsafe(Math.max(result.needed, this.readChunk.length * 2));
          break;
        }
        // Torn (runs past the end of the segment) or corrupt: nothing after it is trusted.
        const detail = result.kind === 'corrupt' ? result.detail : 'torn record at end of segment';
        this.warn(
          `write-ahead log ${segmentName(pos.segment)} at byte ${pos.offset + o}: ${detail}; skipped`,
        );
        this.sizes.set(pos.segment, pos.offset + o);
        break;
      }
      pos = { segment: pos.segment, offset: pos.offset + o };
      if (stop) break;
    }
    return { samples, alerts, end: pos };
  }

  /** Most samples the log can hold after `from` (each takes 8 bytes per field of its record). */
  private samplesAfter(from: WalPosition): number {
    let bytes = 0;
    for (const [n, size] of this.sizes) {
      if (n > from.segment) bytes += size;
      else if (n === from.segment) bytes += Math.max(0, size - from.offset);
    }
    return Math.ceil(bytes / (SAMPLE_FIELDS * 8));
  }

  /** Records that the store holds everything before `position`; deletes segments wholly before it. */
  commit(position: WalPosition): void {
    this.checkpoint = { ...position };
    for (const n of [...this.sizes.keys()]) {
      if (n >= position.segment) continue;
      this.closeReadFd(n);
      this.sizes.delete(n);
      this.deletable.push(n);
    }
    // The checkpoint file is rewritten at most every checkpointInterval_ms, off the event loop (a replay
    // from a slightly older checkpoint only rewrites points the store already holds); stored segments
    // are deleted once a checkpoint past them is on disk.
    const now = performance.now();
    if (this.deletable.length > 0 || now - this.checkpointWrittenAt >= this.checkpointInterval_ms) {
      this.checkpointWrittenAt = now;
      this.writeCheckpointAsync();
    }
    // A fully stored current segment is rolled so that it, too, can be deleted.
    if (position.segment === this.current && position.offset >= this.segmentBytes / 4) this.roll();
    if (this.fillRatio < 0.5) this.warnedFill = 0;
  }

  private writeCheckpointAsync(): void {
    if (this.checkpointWriting) {
      this.checkpointAgain = true;
      return;
    }
    this.checkpointWriting = true;
    const tmp = path.join(this.dir, `${CHECKPOINT_FILE}.${this.checkpointWrites++}.tmp`);
    const deleting = this.deletable.splice(0);
    const write = async () => {
      await fs.promises.writeFile(tmp, JSON.stringify(this.checkpoint));
      if (this.fd < 0) return fs.promises.rm(tmp, { force: true }); // closed meanwhile: close() wrote it
      await fs.promises.rename(tmp, path.join(this.dir, CHECKPOINT_FILE));
      await Promise.all(
        deleting.map((n) => fs.promises.rm(path.join(this.dir, segmentName(n)), { force: true })),
      );
    };
    write()
      .catch((error: unknown) => this.warn(`checkpoint write failed: ${String(error)}`))
      .finally(() => {
        this.checkpointWriting = false;
        if (this.checkpointAgain && this.fd >= 0) {
          this.checkpointAgain = false;
          this.writeCheckpointAsync();
        }
      });
  }

  private writeCheckpointSync(): void {
    const tmp = path.join(this.dir, CHECKPOINT_FILE + '.tmp');
    fs.writeFileSync(tmp, JSON.stringify(this.checkpoint));
    fs.renameSync(tmp, path.join(this.dir, CHECKPOINT_FILE));
    this.deletable.length = 0;
    for (const file of fs.readdirSync(this.dir)) {
      const n = Number.parseInt(file, 10);
      if (file.endsWith(SEGMENT_SUFFIX) && n < this.checkpoint.segment)
        fs.rmSync(path.join(this.dir, file), { force: true });
    }
  }

  close(): void {
    if (this.fd >= 0) this.writeCheckpointSync();
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.fsyncTimer = undefined;
    if (this.fd >= 0) {
      this.flush();
      this.sync();
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    for (const n of [...this.readFds.keys()]) this.closeReadFd(n);
  }

  private groupFsync(): void {
    if (!this.dirty || this.fsyncing || this.fd < 0) return;
    this.dirty = false;
    this.fsyncing = true;
    const fd = this.fd;
    fs.fsync(fd, () => {
      this.fsyncing = false;
      this.fsyncCount++;
    });
  }

  private checkFill(): void {
    const fill = this.fillRatio;
    const level = FILL_WARNINGS.filter((w) => fill >= w).pop();
    if (level !== undefined && level > this.warnedFill) {
      this.warnedFill = level;
      this.warn(
        level >= 1
          ? `write-ahead log full (${this.unstoredBytes} bytes not yet stored): no longer acknowledging messages`
          : `write-ahead log ${Math.round(fill * 100)}% full: the store is behind or unreachable`,
      );
    }
  }

  private nextSegment(after: number): number | undefined {
    let next: number | undefined;
    for (const n of this.sizes.keys()) if (n > after && (next === undefined || n < next)) next = n;
    return next;
  }

  private openSegment(): void {
    this.fd = fs.openSync(path.join(this.dir, segmentName(this.current)), 'a');
    this.sizes.set(this.current, 0);
  }

  private roll(): void {
    if (this.fd >= 0) {
      // Its data is written; the fsync (for machine crashes) runs off the event loop, then it closes.
      const fd = this.fd;
      this.dirty = false;
      fs.fsync(fd, () => fs.close(fd, () => undefined));
    }
    this.current++;
    this.openSegment();
  }

  private readCheckpoint(): WalPosition | undefined {
    try {
      const raw = JSON.parse(fs.readFileSync(path.join(this.dir, CHECKPOINT_FILE), 'utf8')) as WalPosition;
      if (Number.isSafeInteger(raw.segment) && Number.isSafeInteger(raw.offset)) return raw;
    } catch {
      // No checkpoint yet (first start) or an unreadable one: read everything there is.
    }
    return undefined;
  }

  private readFd(n: number): number {
    let fd = this.readFds.get(n);
    if (fd === undefined) {
      fd = fs.openSync(path.join(this.dir, segmentName(n)), 'r');
      this.readFds.set(n, fd);
    }
    return fd;
  }

  private closeReadFd(n: number): void {
    const fd = this.readFds.get(n);
    if (fd !== undefined) fs.closeSync(fd);
    this.readFds.delete(n);
  }
}
