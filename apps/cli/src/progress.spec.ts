import { describe, expect, it } from 'vitest';
import type { PublishProgress } from '#replay';
import { formatProgress, formatSummary } from './progress.js';

const progress = (p: Partial<PublishProgress>): PublishProgress => ({
  state: 'running',
  rowsPublished: 0,
  messagesPublished: 0,
  dataTime: null,
  passes: 0,
  wallElapsed_ms: 0,
  ...p,
});

describe('replay progress', () => {
  it('shows rows, data time, rate and an ETA with a bar when the total is known', () => {
    const p = progress({ rowsPublished: 2500, wallElapsed_ms: 5000, dataTime: Date.UTC(2026, 10, 25, 12) });
    const line = formatProgress({ rowsTotal: 10_000, publisher: { progress: () => p } }, 120);
    expect(line).toContain('[');
    expect(line).toContain('25%');
    expect(line).toContain('2,500 rows');
    expect(line).toContain('data 2026-11-25T12:00:00Z');
    expect(line).toContain('500 rows/s');
    expect(line).toContain('ETA 15s');
    expect(line.length).toBe(119);
  });

  it('summarises the run, with what the reader skipped', () => {
    const p = progress({
      state: 'finished',
      rowsPublished: 1000,
      messagesPublished: 5,
      wallElapsed_ms: 2000,
    });
    const line = formatSummary(
      { source: 'file x', summary: () => ({ skipped: { 'impedance row': 12 } }) as never },
      p,
      { rigId: 'r1', cellId: 'c1' },
    );
    expect(line).toBe(
      'finished: 1,000 samples in 5 messages as r1/c1 in 2s (500 samples/s), data time up to -; skipped 12 impedance row',
    );
  });
});
