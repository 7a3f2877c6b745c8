import { describe, expect, it } from 'vitest';
import { defaultCellConfig, type AlertKind, type Sample } from '#contracts';
import { CellTracker } from '../pipeline/cell-tracker.js';
import type { DetectorResult } from './detector.js';
import type { FailureModel, FailureProbabilities, ModelFeatures } from './failure-model.js';
import { ModelRunner } from './model-runner.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet = { warn() {}, error() {}, log() {} };

/** Ready after 5 samples; predicts what the test sets, and records the batch sizes it was given. */
class FakeModel implements FailureModel {
  readonly version = 'fake-1';
  readonly horizon_s = 900;
  batches: number[] = [];
  answer: FailureProbabilities = {};
  createFeatures(): ModelFeatures {
    let n = 0;
    return {
      push: () => void n++,
      ready: () => n >= 5,
      window: () => new Float32Array([n]),
      reset: () => void (n = 0),
    };
  }
  predict(windows: readonly Float32Array[]): Promise<FailureProbabilities[]> {
    this.batches.push(windows.length);
    return Promise.resolve(windows.map(() => this.answer));
  }
}

/** Physics that warns of sand depletion while i > 1 A. */
const physics = () => ({
  update: (s: Sample): DetectorResult => ({
    estimates: {},
    findings:
      s.i > 1
        ? [
            {
              kind: 'sand-depletion' as AlertKind,
              level: 'warning' as const,
              message: 'physics',
              evidence: { i: s.i },
            },
          ]
        : [],
  }),
});

function cells(model: FailureModel, n: number) {
  return Array.from(
    { length: n },
    (_, k) =>
      new CellTracker('rig', `c${k}`, defaultCellConfig('rig', `c${k}`), physics, {
        model,
        alerts: { clearHold_ms: 0, clearHoldSamples: 1 },
      }),
  );
}
const feed = (cell: CellTracker, from: number, to: number, i = 0.1) =>
  cell.detect(
    cell.admit(Array.from({ length: to - from }, (_, k) => ({ ts: T0 + (from + k) * 1000, v: 0, i }))),
  );

describe('ModelRunner with the model behind the FailureModel port', () => {
  it('predicts in one batch for every cell with a ready window, once per 30 s of data time', async () => {
    const model = new FakeModel();
    const all = cells(model, 4);
    all.slice(0, 3).forEach((c) => feed(c, 0, 10));
    feed(all[3]!, 0, 2); // not enough history yet
    const runner = new ModelRunner(model, () => all, quiet);
    await runner.runOnce();
    expect(model.batches).toEqual([3]);
    await runner.runOnce(); // nothing new since
    feed(all[0]!, 10, 20); // 10 s later in data time: not due yet
    await runner.runOnce();
    expect(model.batches).toEqual([3]);
    feed(all[0]!, 20, 40);
    await runner.runOnce();
    expect(model.batches).toEqual([3, 1]);
  });

  it('carries the model output in the state but raises no alerts from it (alerts come from the physics)', async () => {
    const model = new FakeModel();
    const [cell] = cells(model, 1);
    const runner = new ModelRunner(model, () => [cell!], quiet);
    model.answer = { 'soft-short': 0.97, 'sand-depletion': 0.85, 'hard-short': 0.1 };
    feed(cell!, 0, 10);
    await runner.runOnce();
    expect(feed(cell!, 10, 40).alerts).toEqual([]);
    await runner.runOnce();
    const out = feed(cell!, 40, 41, 2);
    // Predictions come on a wall-clock timer: joining them to samples would make alerts depend on the
    // replay speed. The physics finding (i = 2 A) is the only alert, from the physics only.
    expect(out.alerts.map((a) => [a.kind, a.source])).toEqual(out.alerts.map((a) => [a.kind, 'physics']));
    expect(out.alerts.some((a) => a.kind === 'soft-short')).toBe(false);
    expect(out.states.at(-1)?.model).toEqual({
      version: 'fake-1',
      horizon_s: 900,
      probabilities: model.answer,
    });
  });

  it('runs its housekeeping on each tick', async () => {
    let ticks = 0;
    const runner = new ModelRunner(
      new FakeModel(),
      () => [],
      quiet,
      2000,
      () => ticks++,
    );
    await runner.runOnce();
    await runner.runOnce();
    expect(ticks).toBe(2);
  });
});
