import type { AlertEvent } from '#contracts';

/** A raised critical hard-short alert of rig-01/ch-03 at 2026-01-01T00:00Z, with `over` applied. */
export function alertEvent(over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: 'a1',
    ts: Date.UTC(2026, 0, 1),
    rigId: 'rig-01',
    cellId: 'ch-03',
    kind: 'hard-short',
    severity: 'critical',
    state: 'raised',
    source: 'physics',
    message: '|V| 0.2 mV while 1.1 mA flows',
    evidence: {},
    ...over,
  };
}
