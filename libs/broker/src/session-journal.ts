import {
  appendFileSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// aedes-persistence's in-memory implementation (CommonJS, no "exports" map): this class adds a journal.
const require = createRequire(import.meta.url);
const MemoryPersistence = require('aedes-persistence/asyncPersistence.js') as new () => AsyncPersistence;

interface SubscriptionEntry {
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean | number;
  nl?: boolean | number;
}
interface ClientLike {
  id: string;
  clean?: boolean;
}
interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain?: boolean;
  cmd?: string;
  brokerId?: string;
  brokerCounter?: number;
}
interface AsyncPersistence {
  setup(broker: unknown): Promise<void>;
  storeRetained(packet: RetainedPacket): Promise<void>;
  addSubscriptions(client: ClientLike, subs: SubscriptionEntry[]): Promise<void>;
  removeSubscriptions(client: ClientLike, topics: string[]): Promise<void>;
  cleanSubscriptions(client: ClientLike): Promise<void>;
}

type JournalLine =
  | { op: 'sub'; clientId: string; subs: SubscriptionEntry[] }
  | { op: 'unsub'; clientId: string; topics: string[] }
  | { op: 'clean'; clientId: string }
  | { op: 'retain'; topic: string; qos: number; payload: string };

/** Rewrite the journal from memory once it has this many more lines than the state it describes. */
const COMPACT_AFTER_LINES = 10_000;

/**
 * Aedes persistence that keeps the sessions of clients with `clean = false` (their subscriptions, so the
 * broker answers "session present" and keeps queueing for them) and retained messages across a restart:
 * the in-memory persistence of aedes-persistence plus an append-only journal of those changes
 * (`sessions.jsonl`), replayed and compacted at start-up. No maintained file-backed aedes persistence
 * exists (the published ones need Redis or MongoDB, or are unmaintained), and these changes are rare:
 * one line per subscribe, unsubscribe or retained message, written synchronously before the broker
 * answers. Messages queued for offline subscribers stay in memory.
 */
export class SessionJournalPersistence extends MemoryPersistence {
  private readonly file: string;
  private readonly sessions = new Map<string, Map<string, SubscriptionEntry>>();
  private readonly retained = new Map<string, { qos: number; payload: string }>();
  private lines = 0;
  private replaying = false;

  constructor(directory: string) {
    super();
    mkdirSync(directory, { recursive: true });
    this.file = path.join(directory, 'sessions.jsonl');
  }

  override async setup(broker: unknown): Promise<void> {
    await super.setup(broker);
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.replaying = true;
    try {
      for (const line of text.split('\n')) {
        if (line.length === 0) continue;
        let entry: JournalLine;
        try {
          entry = JSON.parse(line) as JournalLine;
        } catch {
          continue; // the last line of a process killed while writing it
        }
        await this.apply(entry);
      }
    } finally {
      this.replaying = false;
    }
    this.compact();
  }

  override async storeRetained(packet: RetainedPacket): Promise<void> {
    await super.storeRetained(packet);
    const payload = Buffer.from(packet.payload).toString('base64');
    if (payload.length === 0) this.retained.delete(packet.topic);
    else this.retained.set(packet.topic, { qos: packet.qos, payload });
    this.record({ op: 'retain', topic: packet.topic, qos: packet.qos, payload });
  }

  override async addSubscriptions(client: ClientLike, subs: SubscriptionEntry[]): Promise<void> {
    await super.addSubscriptions(client, subs);
    if (client.clean !== false) return;
    let session = this.sessions.get(client.id);
    if (!session) this.sessions.set(client.id, (session = new Map()));
    const kept = subs.map(({ topic, qos, rh, rap, nl }) => ({ topic, qos, rh, rap, nl }));
    for (const sub of kept) session.set(sub.topic, sub);
    this.record({ op: 'sub', clientId: client.id, subs: kept });
  }

  override async removeSubscriptions(client: ClientLike, topics: string[]): Promise<void> {
    await super.removeSubscriptions(client, topics);
    const session = this.sessions.get(client.id);
    if (!session) return;
    for (const topic of topics) session.delete(topic);
    if (session.size === 0) this.sessions.delete(client.id);
    this.record({ op: 'unsub', clientId: client.id, topics });
  }

  override async cleanSubscriptions(client: ClientLike): Promise<void> {
    await super.cleanSubscriptions(client);
    if (!this.sessions.delete(client.id)) return;
    this.record({ op: 'clean', clientId: client.id });
  }

  private async apply(entry: JournalLine): Promise<void> {
    switch (entry.op) {
      case 'sub':
        return this.addSubscriptions({ id: entry.clientId, clean: false }, entry.subs);
      case 'unsub':
        return this.removeSubscriptions({ id: entry.clientId, clean: false }, entry.topics);
      case 'clean':
        return this.cleanSubscriptions({ id: entry.clientId, clean: false });
      case 'retain':
        return this.storeRetained({
          cmd: 'publish',
          topic: entry.topic,
          qos: entry.qos,
          retain: true,
          payload: Buffer.from(entry.payload, 'base64'),
        });
    }
  }

  private record(entry: JournalLine): void {
    if (this.replaying) return;
    appendFileSync(this.file, JSON.stringify(entry) + '\n');
    if (++this.lines > COMPACT_AFTER_LINES + this.sessions.size + this.retained.size) this.compact();
  }

  /** Rewrites the journal as the current state (write, fsync, rename: a crash leaves one or the other). */
  private compact(): void {
    const out: string[] = [];
    for (const [clientId, session] of this.sessions) {
      out.push(JSON.stringify({ op: 'sub', clientId, subs: [...session.values()] } satisfies JournalLine));
    }
    for (const [topic, { qos, payload }] of this.retained) {
      out.push(JSON.stringify({ op: 'retain', topic, qos, payload } satisfies JournalLine));
    }
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, out.length > 0 ? out.join('\n') + '\n' : '');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    this.lines = out.length;
  }
}
