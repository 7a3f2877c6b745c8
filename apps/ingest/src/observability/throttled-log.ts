import type { IngestLogger } from '../pipeline/telemetry-intake.js';

/**
 * Log lines about lost or refused data, at most one per kind per interval: a flood of bad messages must
 * not become a flood of log lines (the counters on /metrics keep every one). The first of a kind is
 * logged at once; later ones say how many were left unlogged since.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<IngestLogger, 'warn' | 'error'>,
    private readonly interval_ms = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, message: string): void {
    this.emit(kind, message, (line) => this.logger.warn(line));
  }

  error(kind: string, message: string): void {
    this.emit(kind, message, (line) => this.logger.error(line));
  }

  private emit(kind: string, message: string, write: (line: string) => void): void {
    const now = this.now();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.interval_ms) {
      entry.suppressed++;
      return;
    }
    const more = entry?.suppressed
      ? ` (${entry.suppressed} more of this kind not logged since the last line)`
      : '';
    this.last.set(kind, { at: now, suppressed: 0 });
    write(message + more);
  }
}
