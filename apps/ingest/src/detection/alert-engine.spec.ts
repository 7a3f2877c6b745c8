import { describe, expect, it } from 'vitest';
import type { Risk } from '#contracts';
import { AlertEngine } from './alert-engine.js';
import type { DetectorFinding } from './detector.js';

const T0 = Date.UTC(2026, 0, 1);
const depletion = (level: Risk, fraction: number): DetectorFinding => ({
  kind: 'sand-depletion',
  level,
  message: `depletion ${fraction}`,
  evidence: { depletionFraction: fraction },
});

/** Feeds a level sequence, one sample per second of data time; returns the events with their second. */
function run(engine: AlertEngine, levels: Risk[]) {
  return levels.flatMap((level, k) =>
    engine
      .update(T0 + k * 1000, [depletion(level, k)])
      .map((e) => ({ k, state: e.state, severity: e.severity, id: e.id })),
  );
}

describe('AlertEngine', () => {
  it('raises once, escalates with the same id, clears after the hold, with data-time ts', () => {
    const engine = new AlertEngine('rig', 'c1', { clearHold_ms: 3000, clearHoldSamples: 2 });
    const events = run(engine, [
      'ok',
      'warning',
      'warning',
      'critical',
      'critical',
      'warning',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
    expect(events.map(({ k, state, severity }) => [k, state, severity])).toEqual([
      [1, 'raised', 'warning'],
      [3, 'raised', 'critical'],
      [9, 'cleared', 'critical'],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(engine.openAlerts).toEqual([]);
  });

  it('keeps a recorded safety stop on the escalation, acknowledgement and clearing of the alert', () => {
    const engine = new AlertEngine('rig', 'c1', { clearHold_ms: 0, clearHoldSamples: 1 });
    const [raised] = engine.update(T0, [depletion('warning', 0.5)]);
    const stop = { ts: 7, topic: 'sandglass/v1/rig/c1/command' };
    engine.recordSafetyStop(raised!.id, stop);
    const [escalated] = engine.update(T0 + 1000, [depletion('critical', 0.9)]);
    expect(escalated).toMatchObject({ state: 'raised', severity: 'critical', safetyStop: stop });
    expect(engine.acknowledge({ ...escalated!, state: 'acknowledged', acknowledgedBy: 'x' })).toBe(true);
    expect(engine.openAlerts[0]!.safetyStop).toEqual(stop);
    const [cleared] = engine.update(T0 + 2000, [depletion('ok', 0)]);
    expect(cleared).toMatchObject({ state: 'cleared', safetyStop: stop });
  });

  it('does not flap on a noisy signal around the threshold', () => {
    const engine = new AlertEngine('rig', 'c1', { clearHold_ms: 5000, clearHoldSamples: 3 });
    const noisy: Risk[] = Array.from({ length: 40 }, (_, k) => (k % 3 === 0 ? 'ok' : 'warning'));
    const events = run(engine, noisy);
    expect(events.map((e) => e.state)).toEqual(['raised']);
  });

  it('carries ts, evidence, message and source of the causing sample', () => {
    const engine = new AlertEngine('rig', 'c1', {}, () => 42);
    const [event] = engine.update(T0 + 123.5, [
      { ...depletion('warning', 0.8), source: 'both', message: 'soon' },
    ]);
    expect(event).toMatchObject({
      ts: T0 + 123.5,
      rigId: 'rig',
      cellId: 'c1',
      kind: 'sand-depletion',
      state: 'raised',
      source: 'both',
      message: 'soon',
      evidence: { depletionFraction: 0.8 },
      emittedAt: 42,
    });
  });

  it('keeps one open alert per kind, kinds independent', () => {
    const engine = new AlertEngine('rig', 'c1', { clearHold_ms: 0, clearHoldSamples: 1 });
    const short: DetectorFinding = { kind: 'hard-short', level: 'critical', message: 'short', evidence: {} };
    expect(engine.update(T0, [depletion('warning', 0.7), short]).map((e) => e.kind)).toEqual([
      'sand-depletion',
      'hard-short',
    ]);
    expect(engine.update(T0 + 1, [short])).toMatchObject([{ kind: 'sand-depletion', state: 'cleared' }]);
    expect(engine.openAlerts.map((e) => e.kind)).toEqual(['hard-short']);
  });

  it('restores open alerts and clears a restored alert when the condition is gone', () => {
    const first = new AlertEngine('rig', 'c1');
    const [raised] = first.update(T0, [depletion('critical', 0.95)]);
    const restarted = new AlertEngine('rig', 'c1', { clearHold_ms: 0, clearHoldSamples: 1 });
    restarted.restoreOpen([raised!, { ...raised!, id: 'other', kind: 'thermal', state: 'cleared' }]);
    expect(restarted.openAlerts.map((e) => e.id)).toEqual([raised!.id]);
    expect(restarted.update(T0 + 5000, [depletion('critical', 0.97)])).toEqual([]);
    expect(restarted.update(T0 + 6000, [])).toMatchObject([{ id: raised!.id, state: 'cleared' }]);
  });

  it('learns acknowledgements of its own alerts only', () => {
    const engine = new AlertEngine('rig', 'c1');
    const [raised] = engine.update(T0, [depletion('warning', 0.8)]);
    expect(engine.acknowledge({ ...raised!, state: 'acknowledged', acknowledgedBy: 'ana' })).toBe(true);
    expect(engine.acknowledge({ ...raised!, id: 'unknown', state: 'acknowledged' })).toBe(false);
    expect(engine.openAlerts[0]).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'ana' });
    // An escalation after the acknowledgement is raised again.
    expect(engine.update(T0 + 1, [depletion('critical', 0.9)])).toMatchObject([
      { id: raised!.id, state: 'raised', severity: 'critical' },
    ]);
  });

  it('gives the same id to the same alert raised from the same data', () => {
    const a = new AlertEngine('rig', 'c1').update(T0, [depletion('warning', 0.8)]);
    const b = new AlertEngine('rig', 'c1').update(T0, [depletion('warning', 0.8)]);
    expect(a[0]!.id).toBe(b[0]!.id);
  });
});
