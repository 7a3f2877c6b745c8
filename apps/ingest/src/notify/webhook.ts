import { createHmac } from 'node:crypto';
import type { AlertEvent, CellConfig } from '#contracts';

/** What a notification says about the cell (its configuration, without the detector thresholds). */
export interface CellSummary {
  rigId: string;
  cellId: string;
  cellType: CellConfig['cellType'];
  electrodeArea_cm2: number;
  electrolyte: string;
  nominalPressure_MPa?: number;
  safety?: CellConfig['safety'];
}

export function cellSummary(config: CellConfig): CellSummary {
  const e = config.electrolyte;
  return {
    rigId: config.rigId,
    cellId: config.cellId,
    cellType: config.cellType,
    electrodeArea_cm2: config.electrodeArea_cm2,
    electrolyte: e.preset ?? e.kind ?? 'unknown',
    ...(config.stack && { nominalPressure_MPa: config.stack.nominalPressure_MPa }),
    ...(config.safety && { safety: config.safety }),
  };
}

/**
 * Idempotency key of one alert state change: the alert id plus its state, and for `raised` its severity
 * too, because an escalation from warning to critical is the same id sent again as `raised` (DESIGN.md)
 * and is a change a receiver must not drop as a repeat.
 */
export function idempotencyKey(alert: Pick<AlertEvent, 'id' | 'state' | 'severity'>): string {
  return alert.state === 'raised' ? `${alert.id}:raised:${alert.severity}` : `${alert.id}:${alert.state}`;
}

/** Hex HMAC-SHA256 of the raw body (header `x-sandglass-signature`). */
export function signature(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

/** Dashboard page of the alert's cell. */
export function dashboardUrl(base: string, alert: Pick<AlertEvent, 'rigId' | 'cellId'>): string {
  return `${base.replace(/\/+$/, '')}/#/cell/${encodeURIComponent(alert.rigId)}/${encodeURIComponent(alert.cellId)}`;
}

/**
 * The webhook body: the alert event exactly as on MQTT and socket.io, at the top level, plus
 * `dashboardUrl` and `cell` (its configuration summary, when the cell has one).
 */
export function webhookBody(alert: AlertEvent, dashboardBase: string, cell: CellSummary | undefined): string {
  return JSON.stringify({
    ...alert,
    dashboardUrl: dashboardUrl(dashboardBase, alert),
    ...(cell && { cell }),
  });
}
