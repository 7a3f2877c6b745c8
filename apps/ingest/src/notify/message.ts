import type { AlertEvent, Evidence } from '#contracts';

const KIND_WORDS: Record<AlertEvent['kind'], string> = {
  'sand-depletion': "Li+ depletion (Sand's time)",
  'void-growth': 'void growth at the Li interface',
  'soft-short': 'soft short',
  'hard-short': 'hard short',
  pressure: 'stack pressure',
  thermal: 'temperature',
  'data-gap': 'data gap',
};

const STATE_WORDS: Record<AlertEvent['state'], string> = {
  raised: 'raised',
  acknowledged: 'acknowledged',
  cleared: 'cleared',
};

/** "CRITICAL hard short on rig-01/ch-03 (raised)". */
export function alertTitle(alert: AlertEvent): string {
  return `${alert.severity.toUpperCase()} ${KIND_WORDS[alert.kind]} on ${alert.rigId}/${alert.cellId} (${STATE_WORDS[alert.state]})`;
}

/** Evidence as "name: value" lines (numbers to 4 significant digits; units are in the names). */
export function evidenceLines(evidence: Evidence): string[] {
  return Object.entries(evidence).map(([name, value]) => {
    const shown =
      typeof value === 'number'
        ? Number.isInteger(value)
          ? String(value)
          : value.toPrecision(4)
        : String(value);
    return `${name}: ${shown}`;
  });
}
