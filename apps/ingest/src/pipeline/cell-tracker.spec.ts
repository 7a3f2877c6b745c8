import { describe, expect, it } from 'vitest';
import { defaultCellConfig, type CellConfig, type Sample } from '#contracts';
import type { Snapshot } from '#physics';
import type { Detector, DetectorResult } from '../detection/detector.js';
import { CellTracker, type CellTrackerOptions } from './cell-tracker.js';

const T0 = Date.UTC(2026, 0, 1);

/** A detector that warns while the current is above a threshold, and remembers what it saw. */
class ThresholdDetector implements Detector {
  seen: number[] = [];
  constructor(readonly limit_A: number) {}
  update(sample: Sample): DetectorResult {
    this.seen.push(sample.ts);
    const high = sample.i > this.limit_A;
    return {
      estimates: { currentDensity_A_m2: sample.i * 1e4 },
      findings: [
        {
          kind: 'sand-depletion',
          level: high ? 'warning' : 'ok',
          message: high ? 'current above limit' : 'current fine',
          evidence: { current_A: sample.i },
        },
      ],
    };
  }
  snapshot(): Snapshot {
    return { type: 'ThresholdDetector', version: 1, state: { seen: this.seen.length } };
  }
}

function tracker(options: CellTrackerOptions = {}) {
  const detectors: ThresholdDetector[] = [];
  const factory = (config: CellConfig) => {
    const d = new ThresholdDetector(config.thresholds.limit_A ?? 1);
    detectors.push(d);
    return d;
  };
  const t = new CellTracker('rig', 'c1', defaultCellConfig('rig', 'c1'), factory, {
    alerts: { clearHold_ms: 0, clearHoldSamples: 1 },
    ...options,
  });
  return { t, detectors };
}

const at = (s: number, i = 0.5, seq = s): Sample => ({ ts: T0 + s * 1000, v: 0.01, i, seq });
const run = (t: CellTracker, samples: Sample[]) => t.detect(t.admit(samples));

describe('CellTracker', () => {
  it('drops duplicates before they reach the detector and counts accepted samples', () => {
    const { t, detectors } = tracker();
    const admitted = t.admit([at(0), at(1), at(1), at(2)]);
    expect(admitted.duplicates).toBe(1);
    expect(admitted.samples).toHaveLength(3);
    t.detect(admitted);
    expect(detectors[0]!.seen).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(t.samples).toBe(3);
  });

  it('keeps late samples out of the detector', () => {
    const { t, detectors } = tracker();
    run(t, [at(0), at(2), at(1), at(3)]);
    expect(detectors[0]!.seen).toEqual([T0, T0 + 2000, T0 + 3000]);
  });

  it('resets the detector on a new run and counts the run in the state', () => {
    const { t, detectors } = tracker();
    run(
      t,
      Array.from({ length: 600 }, (_, s) => at(s)),
    );
    const out = run(t, [at(0, 0.5, 0)]);
    expect(out.newRuns).toBe(1);
    expect(detectors).toHaveLength(2);
    expect(detectors[1]!.seen).toEqual([T0]);
    expect(out.states).toMatchObject([{ run: 1, ts: T0 }]);
  });

  it('publishes state at most once per second of data time', () => {
    const { t } = tracker();
    const samples = Array.from({ length: 50 }, (_, k) => ({ ts: T0 + k * 100, v: 0.01, i: 0.5 }));
    const oneByOne = samples.slice(0, 25).flatMap((s) => run(t, [s]).states.map((x) => x.ts - T0));
    const inOneMessage = run(t, samples.slice(25)).states.map((x) => x.ts - T0);
    expect(oneByOne).toEqual([0, 1000, 2000]);
    expect(inOneMessage).toEqual([3000, 4000]);
  });

  it('publishes the state of a sample that raises or clears an alert, between the seconds too', () => {
    const { t } = tracker();
    const sample = (ms: number, i: number, seq: number): Sample => ({ ts: T0 + ms, v: 0.01, i, seq });
    const raised = run(t, [sample(0, 0.5, 0), sample(300, 2, 1), sample(600, 2, 2)]);
    expect(raised.alerts).toMatchObject([{ state: 'raised', ts: T0 + 300 }]);
    expect(raised.states.map((s) => [s.ts - T0, s.estimates.currentDensity_A_m2])).toEqual([
      [0, 5000],
      [300, 20_000],
    ]);
    const cleared = run(t, [sample(900, 0.5, 3)]);
    expect(cleared.alerts).toMatchObject([{ state: 'cleared', ts: T0 + 900 }]);
    expect(cleared.states.map((s) => s.ts - T0)).toEqual([900]);
  });

  it('raises and clears alerts from detector findings with levels in the state', () => {
    const { t } = tracker();
    const high = run(t, [at(0, 0.5), at(1, 2)]);
    expect(high.alerts).toMatchObject([{ kind: 'sand-depletion', state: 'raised', ts: T0 + 1000 }]);
    expect(high.states.at(-1)).toMatchObject({
      risk: 'warning',
      levels: { 'sand-depletion': 'warning' },
      i: 2,
    });
    const low = run(t, [at(2, 0.5)]);
    expect(low.alerts).toMatchObject([{ state: 'cleared', ts: T0 + 2000 }]);
  });

  it('applies a configuration change live', () => {
    const { t } = tracker();
    expect(run(t, [at(0, 2)]).alerts).toHaveLength(1);
    t.configure({ ...defaultCellConfig('rig', 'c1'), thresholds: { limit_A: 5 } });
    expect(run(t, [at(1, 2)]).alerts).toMatchObject([{ state: 'cleared' }]);
  });

  it('judges a released hold a slice at a time, in order, with later messages queued behind it', () => {
    const { t, detectors } = tracker({ awaitingConfig: true, releaseSlice_samples: 2 });
    for (let s = 0; s < 5; s++) run(t, [at(s, s === 3 ? 2 : 0.5)]);
    expect(t.backlog).toBe(0); // held for a configuration, not released yet
    expect(t.snapshot()).toBeUndefined();
    expect(t.judgeHeld().alerts).toEqual([]); // nothing is judged while held for a configuration
    expect(t.configure({ ...defaultCellConfig('rig', 'c1'), thresholds: {} }).alerts).toEqual([]);
    const detector = detectors.at(-1)!;
    expect(t.backlog).toBe(5);
    t.judgeHeld();
    expect(detector.seen).toEqual([T0, T0 + 1000]);
    expect(t.backlog).toBe(3);
    // A message arriving meanwhile waits behind the backlog; checkpoints wait until it is judged.
    expect(run(t, [at(5, 2)]).alerts).toEqual([]);
    expect(t.snapshot()).toBeUndefined();
    const alerts = [t.judgeHeld(), t.judgeHeld()].flatMap((o) => o.alerts);
    expect(detector.seen).toEqual([0, 1, 2, 3, 4, 5].map((s) => T0 + s * 1000));
    expect(alerts.map((a) => [a.state, a.ts])).toEqual([
      ['raised', T0 + 3000],
      ['cleared', T0 + 4000],
      ['raised', T0 + 5000],
    ]);
    expect(t.backlog).toBe(0);
    expect(t.snapshot()).toBeDefined();
    // With no backlog, a message is judged at once again.
    expect(run(t, [at(6)]).alerts).toMatchObject([{ state: 'cleared' }]);
  });

  it('judges a backlog with the configuration it came under before a new one applies', () => {
    const { t, detectors } = tracker({ awaitingConfig: true, releaseSlice_samples: 1 });
    for (let s = 0; s < 3; s++) run(t, [at(s, 2)]);
    expect(t.release().alerts).toEqual([]);
    expect(t.judgeHeld().alerts).toMatchObject([{ state: 'raised', ts: T0 }]);
    expect(t.backlog).toBe(2);
    t.configure({ ...defaultCellConfig('rig', 'c1'), thresholds: { limit_A: 5 } });
    // The two released samples went through the default detector (limit 1 A), none through the new one.
    expect(detectors[0]!.seen).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(detectors.at(-1)!.seen).toEqual([]);
    expect(t.backlog).toBe(0);
  });
});
