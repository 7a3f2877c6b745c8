import type { AlertSource, Evidence, Risk } from '#contracts';
import type { ModelKind } from './model.js';

/**
 * How the physics detectors and the model combine into one alert level per failure kind.
 * - `physics`: the physics level only (the model is evidence).
 * - `model`: the model only.
 * - `or`: either may raise; the worse level wins.
 * - `confirm`: the physics level, escalated to critical when the model agrees; the model alone raises
 *   a warning only when it is very sure (p ≥ strongProbability).
 * - `gated`: the physics level passes when the model gives the kind at least gateProbability (or has no
 *   prediction yet); hard shorts always pass (the physics sees them within seconds, the model lags); the
 *   model alone raises a warning at p ≥ strongProbability.
 */
export type FusionRule = 'physics' | 'model' | 'or' | 'confirm' | 'gated';

export interface FusionOptions {
  rule: FusionRule;
  /** Model probability that counts as a warning. */
  warnProbability: number;
  /** Model probability that counts as critical (and, under `confirm` and `gated`, lets the model warn alone). */
  strongProbability: number;
  /** Under `gated`: the model probability below which a physics level is held back. */
  gateProbability?: number;
  /**
   * Consecutive predictions (every 30 s of data time) at or above warnProbability before the model's
   * level counts (debouncing; default 1). Alert raising in ingest should apply the same.
   */
  confirmations?: number;
}

/** Chosen from the backtest (reports/backtest.md): see docs/model.md for the comparison. */
export const DEFAULT_FUSION: FusionOptions = {
  rule: 'or',
  warnProbability: 0.8,
  strongProbability: 0.95,
  confirmations: 2,
};

export interface FusionInput {
  kind: ModelKind;
  physicsLevel: Risk;
  physicsEvidence?: Evidence;
  /** Absent when the model has no prediction for the cell yet. */
  model?: { probability: number; version: string; horizon_s: number };
}

export interface FusionResult {
  level: Risk;
  /** Who raised the level; `both` when physics and model each reach at least a warning. */
  source: AlertSource;
  evidence: Evidence;
}

const rank: Record<Risk, number> = { ok: 0, warning: 1, critical: 2 };

function worse(a: Risk, b: Risk): Risk {
  return rank[a] >= rank[b] ? a : b;
}

/** The model's own level from its probability. */
export function modelLevel(probability: number, options: FusionOptions): Risk {
  if (probability >= options.strongProbability) return 'critical';
  if (probability >= options.warnProbability) return 'warning';
  return 'ok';
}

/** Fuses one kind's physics level and model probability into one level, its source and its evidence. */
export function fuse(input: FusionInput, options: FusionOptions = DEFAULT_FUSION): FusionResult {
  const evidence: Evidence = { ...(input.physicsEvidence ?? {}) };
  const physics = input.physicsLevel;
  let model: Risk = 'ok';
  if (input.model) {
    evidence.modelProbability = Number(input.model.probability.toFixed(4));
    evidence.modelVersion = input.model.version;
    evidence.modelHorizon_s = input.model.horizon_s;
    model = modelLevel(input.model.probability, options);
  }
  let level: Risk;
  switch (options.rule) {
    case 'physics':
      level = physics;
      break;
    case 'model':
      level = model;
      break;
    case 'or':
      level = worse(physics, model);
      break;
    case 'confirm':
      if (physics !== 'ok') level = model !== 'ok' ? 'critical' : physics;
      else level = model === 'critical' ? 'warning' : 'ok';
      break;
    case 'gated': {
      const passes =
        input.kind === 'hard-short' ||
        !input.model ||
        input.model.probability >= (options.gateProbability ?? 0.2);
      level = worse(passes ? physics : 'ok', model === 'critical' ? 'warning' : 'ok');
      break;
    }
  }
  const physicsRaised = physics !== 'ok' && options.rule !== 'model';
  const modelRaised = model !== 'ok' && options.rule !== 'physics';
  const source: AlertSource =
    physicsRaised && modelRaised ? 'both' : modelRaised && !physicsRaised ? 'model' : 'physics';
  return { level, source, evidence };
}
