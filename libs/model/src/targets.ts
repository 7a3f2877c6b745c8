import type { RunLabels } from '#simulator';
import { MODEL_KINDS, type ModelKind } from './model.js';

/**
 * Training target at data time t, per kind:
 * - sand depletion, voids: 1 when the event has happened or happens within the horizon (they build up
 *   from physics the model can see, so it can warn ahead);
 * - soft short: 1 from the filament onset on (its onset is random: it can be flagged, not foreseen);
 * - hard short: 1 within the horizon before it when something leads up to it (dendrites after
 *   depletion, voids, a soft short), and from the event on when it comes out of the blue.
 */
export function targetsAt(labels: RunLabels, time_s: number, horizon_s: number): Float32Array {
  const out = new Float32Array(MODEL_KINDS.length);
  MODEL_KINDS.forEach((kind, k) => {
    const event_s = eventTime_s(labels, kind);
    out[k] = event_s !== undefined && event_s <= time_s + leadFor(labels, kind, horizon_s) ? 1 : 0;
  });
  return out;
}

function leadFor(labels: RunLabels, kind: ModelKind, horizon_s: number): number {
  if (kind === 'soft-short') return 0;
  if (kind === 'hard-short') return labels.kind === 'hard-short' ? 0 : horizon_s;
  return horizon_s;
}

/** When the labelled event of `kind` happens in a run, if it does. */
export function eventTime_s(labels: RunLabels, kind: ModelKind): number | undefined {
  if (kind === 'hard-short') return labels.hardShort_s;
  return labels.kind === kind ? labels.onset_s : undefined;
}
