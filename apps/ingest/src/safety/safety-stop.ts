import {
  commandTopic,
  type AlertEvent,
  type SafetyCommand,
  type SafetyConfig,
  type Severity,
} from '#contracts';

const SEVERITY_RANK: Record<Severity, number> = { warning: 1, critical: 2 };

/**
 * True when `alert` calls for a safety stop under the cell's `safety` configuration: it is being raised
 * (a new alert, or the escalation of an open one), its kind is in `stopOn`, its severity is at least
 * `minSeverity`, and no stop was sent for this alert yet (an escalation after a stop sends none again).
 */
export function needsSafetyStop(safety: SafetyConfig | undefined, alert: AlertEvent): boolean {
  if (!safety || alert.state !== 'raised' || alert.safetyStop) return false;
  if (!safety.stopOn.includes(alert.kind)) return false;
  return SEVERITY_RANK[alert.severity] >= SEVERITY_RANK[safety.minSeverity];
}

/** The stop command for `alert`, issued at wall-clock time `now_ms`, and the topic it goes on. */
export function safetyStopCommand(
  alert: AlertEvent,
  now_ms: number,
): { topic: string; command: SafetyCommand } {
  return {
    topic: commandTopic(alert.rigId, alert.cellId),
    command: {
      action: 'stop',
      reason: `${alert.severity} ${alert.kind}: ${alert.message}`,
      alertId: alert.id,
      ts: now_ms,
    },
  };
}
