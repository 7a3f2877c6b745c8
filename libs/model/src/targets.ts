import type { RunLabels } from '#simulator';
import { MODEL_KINDS } from './model.js';

/**
 * Training target at data time t: for each kind, 1 when its event has happened or happens within the
 * horizon (sand: depletion; voids: contact lost or penetration; soft short: filament onset; hard short:
 * the full bridge, in any run that ends in one).
 */
export function targetsAt(labels: RunLabels, time_s: number, horizon_s: number): Float32Array {
  const out = new Float32Array(MODEL_KINDS.length);
  MODEL_KINDS.forEach((kind, k) => {
    const event_s = eventTime_s(labels, kind);
    out[k] = event_s !== undefined && event_s <= time_s + horizon_s ? 1 : 0;
  });
  return out;
}

/** When the labelled event of `kind` happens in a run, if it does. */
export function eventTime_s(labels: RunLabels, kind: (typeof MODEL_KINDS)[number]): number | undefined {
  if (kind === 'hard-short') return labels.hardShort_s;
  return labels.kind === kind ? labels.onset_s : undefined;
}
