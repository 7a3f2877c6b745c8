import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { GroupMember } from './channels.js';
import { replaceFileDurably } from './durable-file.js';

/**
 * Kept as history, never sent: `silenced` (an active silence covered the alert), `rate-limited` (its
 * route was over its rate limit), `cancelled` (an escalation whose alert was acknowledged or cleared).
 */
export type DeliveryState = 'pending' | 'delivered' | 'given-up' | 'silenced' | 'rate-limited' | 'cancelled';

/** One attempt to deliver a notification. */
export interface Attempt {
  at: number;
  ok: boolean;
  status?: number;
  error?: string;
}

/** A notification of one alert state change on one channel, and what became of it. */
export interface OutboxEntry {
  /** `${channel}:${key}`: one entry per channel and idempotency key. */
  id: string;
  channel: string;
  /** Idempotency key (`${alertId}:${state}`…), sent to the receiver. */
  key: string;
  alertId: string;
  /** What is sent, ready to go (the raw body is what gets signed). */
  body: string;
  createdAt: number;
  state: DeliveryState;
  attempts: number;
  /** Earliest wall-clock time of the next attempt while pending. */
  nextAt: number;
  deliveredAt?: number;
  /** The silence that held it back (state `silenced`). */
  silencedBy?: string;
  /** The route (SANDGLASS_NOTIFY_ROUTES_FILE) it went by. */
  route?: string;
  /** An escalation: sent at `dueAt` unless the alert is acknowledged or cleared before. */
  escalation?: boolean;
  /** When an escalation or a grouped message is due; giving up counts from there. */
  dueAt?: number;
  /** A grouped message (route `group_s`): its state changes, in order. */
  members?: GroupMember[];
  /** The latest attempts, oldest first (at most ATTEMPTS_KEPT). */
  history: Attempt[];
}

const ATTEMPTS_KEPT = 20;
const FILE = 'outbox.jsonl';

/**
 * A durable queue of notifications under `dir`: an append-only journal (`outbox.jsonl`, one JSON line
 * per entry each time it changes; at load the last line of an entry wins), fsync'd when an entry is added
 * so an accepted notification survives a crash, and rewritten from memory (write, fsync, rename) at start
 * and once it holds many more lines than entries. Changes of an attempt are not fsync'd: a crash loses at
 * most an attempt count or a "delivered" mark, and the notification is then sent again with the same
 * idempotency key. Delivered and given-up entries stay as history, the newest `keepFinished` of them.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly file: string;
  private fd: number | undefined;
  private lines = 0;
  /** Journal lines that could not be read at load (a torn last line after a crash). */
  unreadableLines = 0;

  constructor(
    private readonly dir: string,
    private readonly keepFinished = 10_000,
  ) {
    this.file = path.join(dir, FILE);
  }

  open(): void {
    mkdirSync(this.dir, { recursive: true });
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as OutboxEntry;
          this.entries.set(entry.id, entry);
        } catch {
          this.unreadableLines++;
        }
      }
    }
    this.compact();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.get(id);
  }

  /** Adds an entry, durably; false (and nothing written) when one with its id exists already. */
  add(entry: OutboxEntry): boolean {
    if (this.entries.has(entry.id)) return false;
    this.entries.set(entry.id, entry);
    this.write(entry, true);
    return true;
  }

  /** Records a change of an entry (an attempt, delivery, giving up); `sync`: fsync'd before returning. */
  update(entry: OutboxEntry, sync = false): void {
    if (entry.history.length > ATTEMPTS_KEPT) entry.history.splice(0, entry.history.length - ATTEMPTS_KEPT);
    this.entries.set(entry.id, entry);
    this.write(entry, sync);
    if (this.lines > 2 * this.entries.size + 1000) this.compact();
  }

  *all(): Iterable<OutboxEntry> {
    yield* this.entries.values();
  }

  count(state: DeliveryState): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.state === state) n++;
    return n;
  }

  private write(entry: OutboxEntry, sync: boolean): void {
    if (this.fd === undefined) throw new Error('outbox not open');
    writeSync(this.fd, JSON.stringify(entry) + '\n');
    this.lines++;
    if (sync) fsyncSync(this.fd);
  }

  /** Rewrites the journal as the current entries, dropping the oldest finished ones beyond the limit. */
  private compact(): void {
    const finished = [...this.entries.values()]
      .filter((e) => e.state !== 'pending')
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const old of finished.slice(0, Math.max(0, finished.length - this.keepFinished)))
      this.entries.delete(old.id);
    const text = [...this.entries.values()].map((e) => JSON.stringify(e) + '\n').join('');
    replaceFileDurably(this.file, text);
    this.close();
    this.fd = openSync(this.file, 'a');
    this.lines = this.entries.size;
  }
}
