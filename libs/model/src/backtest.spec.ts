import { describe, expect, it } from 'vitest';
import { fusedRaises, scoreOutcomes, type RunOutcome } from './backtest.js';

describe('scoreOutcomes', () => {
  it('scores hand-made runs: recall, lead times, soft-short delays and false alarms', () => {
    const outcomes: RunOutcome[] = [
      // Sand warned 300 s and 100 s ahead, one missed (raised only after the event).
      {
        labels: { kind: 'sand-depletion', onset_s: 1000, hardShort_s: 2000 },
        duration_s: 2300,
        raises: [
          { kind: 'sand-depletion', time_s: 700 },
          { kind: 'hard-short', time_s: 2010 },
        ],
      },
      {
        labels: { kind: 'sand-depletion', onset_s: 1000 },
        duration_s: 3000,
        raises: [{ kind: 'sand-depletion', time_s: 900 }],
      },
      {
        labels: { kind: 'sand-depletion', onset_s: 1000 },
        duration_s: 3000,
        raises: [{ kind: 'sand-depletion', time_s: 1001 }],
      },
      // Soft short flagged 600 s after onset; another flagged too late (after 30 min).
      {
        labels: { kind: 'soft-short', onset_s: 1000, hardShort_s: 5000 },
        duration_s: 5300,
        raises: [
          { kind: 'soft-short', time_s: 1600 },
          { kind: 'hard-short', time_s: 5100 },
        ],
      },
      {
        labels: { kind: 'soft-short', onset_s: 1000, hardShort_s: 5000 },
        duration_s: 5300,
        raises: [{ kind: 'soft-short', time_s: 3000 }],
      },
      // Healthy: 2 h with one false alarm, 2 h clean.
      { labels: { kind: 'healthy' }, duration_s: 7200, raises: [{ kind: 'void-growth', time_s: 50 }] },
      { labels: { kind: 'healthy' }, duration_s: 7200, raises: [] },
    ];
    const score = scoreOutcomes(outcomes);
    const sand = score.perKind['sand-depletion'];
    expect(sand).toMatchObject({ runs: 3, detected: 2, medianLead_s: 200, worstLead_s: 100 });
    expect(sand.recall).toBeCloseTo(2 / 3);
    const soft = score.perKind['soft-short'];
    expect(soft).toMatchObject({
      runs: 2,
      detected: 1,
      medianDelay_s: 600,
      worstLeadBeforeHardShort_s: 3400,
    });
    // Hard shorts: sand run caught 10 s late; soft run 1 caught 100 s late (past the 60 s goal); soft run 2 missed.
    const hard = score.perKind['hard-short'];
    expect(hard).toMatchObject({ runs: 3, detected: 1, medianLead_s: 10 });
    expect(score.perKind['void-growth'].runs).toBe(0);
    // A short during a rest counts from when current flows again.
    const rest = scoreOutcomes([
      {
        labels: { kind: 'hard-short', onset_s: 100, hardShort_s: 100 },
        duration_s: 900,
        raises: [{ kind: 'hard-short', time_s: 410 }],
        hardShortObservable_s: 400,
      },
    ]);
    expect(rest.perKind['hard-short']).toMatchObject({ detected: 1, medianLead_s: 10 });
    expect(score.healthyHours).toBe(4);
    expect(score.falseAlarmsPerHealthyHour).toBeCloseTo(0.25);
    expect(score.falseAlarmsByKind).toEqual({
      'sand-depletion': 0,
      'void-growth': 1,
      'soft-short': 0,
      'hard-short': 0,
    });
  });
});

describe('fusedRaises', () => {
  it('merges physics changes and model updates in time order, with model hysteresis', () => {
    const options = { rule: 'or' as const, warnProbability: 0.5, strongProbability: 0.9 };
    const raises = fusedRaises(
      [
        { time_s: 100, kind: 'sand-depletion', level: 'warning' },
        { time_s: 200, kind: 'sand-depletion', level: 'ok' },
      ],
      [
        { time_s: 50, probabilities: [0.1, 0, 0.6, 0] },
        { time_s: 80, probabilities: [0.1, 0, 0.4, 0] }, // still on: above half the threshold
        { time_s: 150, probabilities: [0.1, 0, 0.1, 0] }, // off
        { time_s: 300, probabilities: [0.7, 0, 0.7, 0] },
      ],
      options,
    );
    expect(raises).toEqual([
      { kind: 'soft-short', time_s: 50 },
      { kind: 'sand-depletion', time_s: 100 },
      { kind: 'sand-depletion', time_s: 300 },
      { kind: 'soft-short', time_s: 300 },
    ]);
    const physicsOnly = fusedRaises(
      [{ time_s: 100, kind: 'void-growth', level: 'critical' }],
      [{ time_s: 10, probabilities: [1, 1, 1, 1] }],
      {
        ...options,
        rule: 'physics',
      },
    );
    expect(physicsOnly).toEqual([{ kind: 'void-growth', time_s: 100 }]);
  });
});
