import { describe, expect, it } from 'vitest';
// Test-only: the project's simulator (libs/simulator) makes labelled physics-based runs.
import { simulateScenario } from '#simulator';
import { CellMonitor, type DetectorEvent, type DetectorKind } from './cell-monitor.js';

// 2026-01-05T09:00:00Z, the data time given to each run's start.
const start_ms = 1_767_603_600_000;
const seeds = [1, 2, 3];

type Scenario = 'healthy' | 'sand-depletion' | 'void-growth' | 'soft-short' | 'hard-short';

function monitorRun(scenario: Scenario, seed: number) {
  const run = simulateScenario({ scenario, seed });
  const monitor = new CellMonitor(run.config);
  const raised: (DetectorEvent & { at_s: number })[] = [];
  for (const s of run.samples()) {
    const result = monitor.update({ ts: start_ms + s.time_s * 1000, v: s.v, i: s.i, t: s.t, p: s.p });
    for (const e of result.events) if (e.level !== 'ok') raised.push({ ...e, at_s: s.time_s });
  }
  const first = (kind: DetectorKind, level?: 'critical') =>
    raised.find((e) => e.kind === kind && (level === undefined || e.level === level))?.at_s ?? Infinity;
  return { labels: run.labels, raised, first };
}

describe('CellMonitor on simulator runs (libs/simulator scenarios, seeds 1–3)', () => {
  it.each(seeds)(
    'healthy (seed %i): nothing raised through temperature steps, rests and reversals',
    (seed) => {
      const { raised } = monitorRun('healthy', seed);
      expect(raised.map((e) => `${e.kind}: ${e.message}`)).toEqual([]);
    },
  );

  it.each(seeds)('sand-depletion (seed %i): warned before the salt runs out, critical by then', (seed) => {
    const { labels, first } = monitorRun('sand-depletion', seed);
    const onset_s = labels.onset_s ?? NaN;
    expect(first('sand-depletion')).toBeLessThan(onset_s);
    expect(first('sand-depletion', 'critical')).toBeLessThan(onset_s + 60);
  });

  it.each(seeds)('void-growth (seed %i): warned before contact is lost', (seed) => {
    const { labels, first } = monitorRun('void-growth', seed);
    expect(first('void-growth')).toBeLessThan(labels.onset_s ?? NaN);
  });

  it.each(seeds)(
    'soft-short (seed %i): raised after the filament forms and before the hard short',
    (seed) => {
      const { labels, raised, first } = monitorRun('soft-short', seed);
      const onset_s = labels.onset_s ?? NaN;
      const shortsBefore = raised.filter(
        (e) => e.at_s < onset_s && (e.kind === 'soft-short' || e.kind === 'hard-short'),
      );
      expect(shortsBefore).toEqual([]);
      expect(first('soft-short')).toBeGreaterThan(onset_s);
      expect(first('soft-short')).toBeLessThan(labels.hardShort_s ?? NaN);
    },
  );

  it.each(seeds)('hard-short (seed %i): critical within seconds of the bridge, nothing before', (seed) => {
    const { labels, raised, first } = monitorRun('hard-short', seed);
    const short_s = labels.hardShort_s ?? NaN;
    expect(raised.filter((e) => e.at_s < short_s)).toEqual([]);
    expect(first('hard-short', 'critical') - short_s).toBeLessThan(30);
    expect(first('hard-short', 'critical')).toBeGreaterThanOrEqual(short_s);
  });
});
