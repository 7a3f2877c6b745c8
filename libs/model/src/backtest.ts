import type { Risk } from '#contracts';
import type { RunLabels } from '#simulator';
import { fuse, modelLevel, type FusionOptions } from './fusion.js';
import { MODEL_KINDS, type ModelKind } from './model.js';

/** Goals of the issue, used to score detections. */
export const SOFT_SHORT_DEADLINE_S = 1800;
export const HARD_SHORT_DEADLINE_S = 60;

/** A raise of an alert (ok → warning/critical) at data time time_s. */
export interface AlertRaise {
  kind: ModelKind;
  time_s: number;
}

/** One run as a detector saw it. */
export interface RunOutcome {
  labels: RunLabels;
  duration_s: number;
  raises: AlertRaise[];
  /**
   * First sample time at or after the hard short with current flowing: a symmetric cell at rest reads
   * ~0 V shorted or not, so a short that happens during a rest can only be seen from here on.
   */
  hardShortObservable_s?: number;
}

export interface KindScore {
  runs: number;
  detected: number;
  recall: number;
  /** Sand, voids: lead before the event; hard short: delay after it (negative = warned before). */
  medianLead_s: number;
  worstLead_s: number;
  /** Soft shorts: delay after onset, and lead before the hard short. */
  medianDelay_s: number;
  worstDelay_s: number;
  medianLeadBeforeHardShort_s: number;
  worstLeadBeforeHardShort_s: number;
}

export interface BacktestScore {
  perKind: Record<ModelKind, KindScore>;
  healthyHours: number;
  falseAlarms: number;
  falseAlarmsPerHealthyHour: number;
  /** False alarms on healthy runs by alert kind. */
  falseAlarmsByKind: Record<ModelKind, number>;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Scores detections against labels:
 * - sand, voids: detected when an alert of that kind is raised before the event; lead = event − raise;
 * - soft short: detected when raised at or after onset, within 30 min and before the hard short;
 * - hard short (every run that ends in one): detected when raised no later than 60 s after it became
 *   observable (current flowing); "lead" is then that delay, negative when it was foreseen;
 * - false alarms: every raise on a healthy run, per healthy cell-hour.
 */
export function scoreOutcomes(outcomes: RunOutcome[]): BacktestScore {
  const perKind = {} as Record<ModelKind, KindScore>;
  for (const kind of MODEL_KINDS) {
    const leads: number[] = [];
    const delays: number[] = [];
    const leadsBeforeHard: number[] = [];
    let runs = 0;
    let detected = 0;
    for (const outcome of outcomes) {
      const { labels } = outcome;
      const raises = outcome.raises.filter((r) => r.kind === kind).map((r) => r.time_s);
      if (kind === 'hard-short') {
        if (labels.hardShort_s === undefined) continue;
        runs++;
        const hard_s = Math.max(labels.hardShort_s, outcome.hardShortObservable_s ?? labels.hardShort_s);
        // An earlier raise that was not cleared before the event would show as a raise before it.
        const first = raises.find((t) => t <= hard_s + HARD_SHORT_DEADLINE_S && t >= hard_s - 3600);
        if (first !== undefined) {
          detected++;
          leads.push(first - hard_s);
        }
        continue;
      }
      if (labels.kind !== kind || labels.onset_s === undefined) continue;
      runs++;
      const onset_s = labels.onset_s;
      if (kind === 'soft-short') {
        const hard_s = labels.hardShort_s ?? Infinity;
        const first = raises.find((t) => t >= onset_s);
        if (first !== undefined && first - onset_s <= SOFT_SHORT_DEADLINE_S && first < hard_s) {
          detected++;
          delays.push(first - onset_s);
          if (Number.isFinite(hard_s)) leadsBeforeHard.push(hard_s - first);
        }
        continue;
      }
      const first = raises.find((t) => t <= onset_s);
      if (first !== undefined) {
        detected++;
        leads.push(onset_s - first);
      }
    }
    const hard = kind === 'hard-short';
    perKind[kind] = {
      runs,
      detected,
      recall: runs > 0 ? detected / runs : NaN,
      medianLead_s: median(leads),
      worstLead_s: leads.length ? (hard ? Math.max(...leads) : Math.min(...leads)) : NaN,
      medianDelay_s: median(delays),
      worstDelay_s: delays.length ? Math.max(...delays) : NaN,
      medianLeadBeforeHardShort_s: median(leadsBeforeHard),
      worstLeadBeforeHardShort_s: leadsBeforeHard.length ? Math.min(...leadsBeforeHard) : NaN,
    };
  }
  let healthyHours = 0;
  let falseAlarms = 0;
  const falseAlarmsByKind = Object.fromEntries(MODEL_KINDS.map((k) => [k, 0])) as Record<ModelKind, number>;
  for (const outcome of outcomes) {
    if (outcome.labels.kind !== 'healthy') continue;
    healthyHours += outcome.duration_s / 3600;
    falseAlarms += outcome.raises.length;
    for (const raise of outcome.raises) falseAlarmsByKind[raise.kind]++;
  }
  return {
    perKind,
    healthyHours,
    falseAlarms,
    falseAlarmsPerHealthyHour: healthyHours > 0 ? falseAlarms / healthyHours : NaN,
    falseAlarmsByKind,
  };
}

/** A change of one kind's physics level at data time time_s. */
export interface PhysicsChange {
  time_s: number;
  kind: ModelKind;
  level: Risk;
}

/** A model prediction at data time time_s (probabilities in MODEL_KINDS order). */
export interface ModelUpdate {
  time_s: number;
  probabilities: ArrayLike<number>;
}

/**
 * Replays the physics level changes and model predictions of one run in time order through a fusion
 * rule and returns the alert raises. The model side is debounced: it counts only after
 * `confirmations` consecutive predictions at or above the warning probability, and once on it clears
 * only below half of it.
 */
export function fusedRaises(
  physics: PhysicsChange[],
  model: ModelUpdate[],
  options: FusionOptions,
): AlertRaise[] {
  type Event = { time_s: number; order: number; physics?: PhysicsChange; model?: ModelUpdate };
  const events: Event[] = [
    ...physics.map((p, k) => ({ time_s: p.time_s, order: k, physics: p })),
    ...model.map((m, k) => ({ time_s: m.time_s, order: physics.length + k, model: m })),
  ].sort((a, b) => a.time_s - b.time_s || a.order - b.order);
  const physicsLevel = Object.fromEntries(MODEL_KINDS.map((k) => [k, 'ok'])) as Record<ModelKind, Risk>;
  const probability = Object.fromEntries(MODEL_KINDS.map((k) => [k, 0])) as Record<ModelKind, number>;
  const modelOn = Object.fromEntries(MODEL_KINDS.map((k) => [k, false])) as Record<ModelKind, boolean>;
  const above = Object.fromEntries(MODEL_KINDS.map((k) => [k, 0])) as Record<ModelKind, number>;
  const open = Object.fromEntries(MODEL_KINDS.map((k) => [k, false])) as Record<ModelKind, boolean>;
  const raises: AlertRaise[] = [];
  for (const event of events) {
    if (event.physics) physicsLevel[event.physics.kind] = event.physics.level;
    if (event.model) {
      MODEL_KINDS.forEach((kind, k) => {
        const p = event.model!.probabilities[k] ?? 0;
        probability[kind] = p;
        if (modelLevel(p, options) !== 'ok') above[kind]++;
        else above[kind] = 0;
        if (above[kind] >= (options.confirmations ?? 1)) modelOn[kind] = true;
        else if (p < options.warnProbability / 2) modelOn[kind] = false;
      });
    }
    for (const kind of MODEL_KINDS) {
      // The model's effective probability holds above the warning threshold while its hysteresis is on.
      const p = modelOn[kind]
        ? Math.max(probability[kind], options.warnProbability)
        : Math.min(probability[kind], options.warnProbability - 1e-9);
      const { level } = fuse(
        { kind, physicsLevel: physicsLevel[kind], model: { probability: p, version: '', horizon_s: 0 } },
        options,
      );
      const isOpen = level !== 'ok';
      if (isOpen && !open[kind]) raises.push({ kind, time_s: event.time_s });
      open[kind] = isOpen;
    }
  }
  return raises;
}
