import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_SILENCE_MS, SilenceSchema, type AlertEvent, type Silence, type SilenceBody } from '#contracts';
import { replaceFileDurably } from './durable-file.js';

/** True when the silence is active at `now_ms` and every matcher it has matches the alert. Pure. */
export function silences(silence: Silence, alert: AlertEvent, now_ms: number): boolean {
  if (silence.endsAt <= now_ms) return false;
  const m = silence.matchers;
  return (
    (m.rigId === undefined || m.rigId === alert.rigId) &&
    (m.cellId === undefined || m.cellId === alert.cellId) &&
    (m.kind === undefined || m.kind === alert.kind) &&
    (m.severity === undefined || m.severity === alert.severity)
  );
}

/** A silence the caller asked for that cannot be (already over, or too long). */
export class SilenceRefused extends Error {}

/**
 * Silences of this process, kept in `dir/silences.json` (rewritten whole: write, fsync, rename) so they
 * survive a restart. Expired ones are dropped as they are read.
 */
export class SilenceStore {
  private list: Silence[] = [];
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, 'silences.json');
  }

  open(): void {
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(this.file)) return;
    const parsed = SilenceSchema.array().safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    this.list = parsed.success ? parsed.data : [];
  }

  active(): Silence[] {
    const now = this.now();
    this.list = this.list.filter((s) => s.endsAt > now);
    return [...this.list];
  }

  matching(alert: AlertEvent): Silence | undefined {
    const now = this.now();
    return this.list.find((s) => silences(s, alert, now));
  }

  add(body: SilenceBody): Silence {
    const now = this.now();
    if (body.endsAt <= now) throw new SilenceRefused('endsAt is not in the future');
    if (body.endsAt - now > MAX_SILENCE_MS) throw new SilenceRefused('a silence may last at most 30 days');
    const silence: Silence = { ...body, id: randomUUID(), createdAt: now };
    this.list = [...this.active(), silence];
    this.save();
    return silence;
  }

  /** False when no active silence has that id. */
  remove(id: string): boolean {
    const before = this.active();
    this.list = before.filter((s) => s.id !== id);
    if (this.list.length === before.length) return false;
    this.save();
    return true;
  }

  private save(): void {
    replaceFileDurably(this.file, JSON.stringify(this.list));
  }
}
