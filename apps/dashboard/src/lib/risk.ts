import type { AlertEvent, CellSummary, Risk } from '#contracts';

/** A tile's risk: the contract's risk levels plus `no-data` for a cell that has sent nothing yet. */
export type TileRisk = Risk | 'no-data';

const RANK: Record<TileRisk, number> = { 'no-data': 0, ok: 1, warning: 2, critical: 3 };

export function riskRank(risk: TileRisk): number {
  return RANK[risk];
}

export function worstRisk(risks: readonly TileRisk[]): TileRisk {
  let worst: TileRisk = 'no-data';
  for (const risk of risks) if (RANK[risk] > RANK[worst]) worst = risk;
  return worst;
}

/** Words and a symbol for each risk, so a tile reads without colour. */
export const RISK_LABEL: Record<TileRisk, { icon: string; text: string }> = {
  critical: { icon: '✖', text: 'Critical' },
  warning: { icon: '▲', text: 'Warning' },
  ok: { icon: '✓', text: 'OK' },
  'no-data': { icon: '…', text: 'No data' },
};

export const cellKey = (rigId: string, cellId: string): string => `${rigId}/${cellId}`;

/** An alert still needing attention: raised and not yet acknowledged or cleared. */
export function isOpenAlert(alert: AlertEvent): boolean {
  return alert.state === 'raised';
}

/**
 * A cell's worst risk: its derived state's risk, raised to the severity of any alert on it that is not
 * cleared (an acknowledged critical alert still makes the cell critical until it clears).
 */
export function cellRisk(cell: CellSummary, alerts: Iterable<AlertEvent>): TileRisk {
  const risks: TileRisk[] = [cell.state ? cell.state.risk : 'no-data'];
  for (const alert of alerts) {
    if (alert.rigId === cell.rigId && alert.cellId === cell.cellId && alert.state !== 'cleared') {
      risks.push(alert.severity);
    }
  }
  return worstRisk(risks);
}

/** Cells worst first, then by rig and cell id so the order is stable. */
export function sortByRisk<T extends { rigId: string; cellId: string; risk: TileRisk }>(
  cells: readonly T[],
): T[] {
  return [...cells].sort(
    (a, b) =>
      RANK[b.risk] - RANK[a.risk] || a.rigId.localeCompare(b.rigId) || a.cellId.localeCompare(b.cellId),
  );
}
