import type { AlertEvent } from '#contracts';
import { useState } from 'preact/hooks';
import { AlertEventSchema } from '#contracts';
import { api, describeProblem } from '../lib/api.js';
import { evidenceLines, KIND_LABEL, SOURCE_LABEL } from '../lib/evidence.js';
import { formatDateTime } from '../lib/format.js';
import { routeHref } from '../lib/route.js';
import type { DashboardStore } from '../lib/store.js';
import { RiskBadge } from './risk-badge.js';

const OPERATOR_KEY = 'sandglass.operator';

/** The name acknowledgements are signed with, remembered in this browser. */
export function operatorName(): string {
  return window.localStorage.getItem(OPERATOR_KEY) ?? '';
}

export function setOperatorName(name: string): void {
  window.localStorage.setItem(OPERATOR_KEY, name.trim());
}

const STATE_LABEL: Record<AlertEvent['state'], string> = {
  raised: 'open',
  acknowledged: 'acknowledged',
  cleared: 'cleared',
};

function AlertItem({
  alert,
  store,
  showCell,
}: {
  alert: AlertEvent;
  store: DashboardStore;
  showCell: boolean;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const acknowledge = async (): Promise<void> => {
    setPending(true);
    setError(null);
    const result = await api.ack(alert.id, operatorName() || undefined);
    setPending(false);
    if (!result.ok) {
      setError(describeProblem(result.problem));
      return;
    }
    // The api answers with the acknowledged event when it can; the same event also arrives live.
    const acknowledged = AlertEventSchema.safeParse(result.value);
    if (acknowledged.success) store.applyAlert(acknowledged.data);
  };
  const evidence = evidenceLines(alert.evidence);
  return (
    <li
      class={`alert severity-${alert.severity} state-${alert.state}`}
      data-alert-id={alert.id}
      data-state={alert.state}
    >
      <div class="alert-head">
        <RiskBadge risk={alert.state === 'cleared' ? 'ok' : alert.severity} />
        <strong>{KIND_LABEL[alert.kind]}</strong>
        {showCell && (
          <a href={routeHref({ view: 'cell', rigId: alert.rigId, cellId: alert.cellId })}>
            {alert.rigId} / {alert.cellId}
          </a>
        )}
        <span class="alert-state">
          {STATE_LABEL[alert.state]}
          {alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''}
        </span>
        <span class="muted small" title="data time of the sample that raised or cleared it">
          {formatDateTime(alert.ts)}
        </span>
        {alert.state === 'raised' && (
          <button type="button" class="ack" disabled={pending} onClick={() => void acknowledge()}>
            {pending ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        )}
      </div>
      <p class="alert-message">{alert.message}</p>
      {evidence.length > 0 && (
        <>
          {/* The evidence is the detector's snapshot at the raise (or clear), not the cell's live values. */}
          <p class="muted small evidence-when">
            Evidence at the {alert.state === 'cleared' ? 'clear' : 'raise'} (data time{' '}
            {formatDateTime(alert.ts)}); the cell's live values are on its page.
          </p>
          <ul class="evidence">
            {evidence.map((line) => (
              <li key={line.name} data-evidence={line.name}>
                {line.text}
              </li>
            ))}
          </ul>
        </>
      )}
      {alert.safetyStop && (
        <p class="safety-stop" data-safety-stop={alert.safetyStop.topic}>
          Safety stop sent to the rig at {formatDateTime(alert.safetyStop.ts)} ({alert.safetyStop.topic})
        </p>
      )}
      <p class="muted small">
        {alert.severity} · from the {SOURCE_LABEL[alert.source]} ·{' '}
        <a href={routeHref({ view: 'notifications', alertId: alert.id })}>notifications</a>
      </p>
      {error && (
        <p class="error-text" role="alert">
          Could not acknowledge: {error}
        </p>
      )}
    </li>
  );
}

export function AlertList({
  alerts,
  store,
  showCell = true,
  empty,
}: {
  alerts: AlertEvent[];
  store: DashboardStore;
  showCell?: boolean;
  empty: string;
}) {
  if (alerts.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="alerts">
      {alerts.map((alert) => (
        <AlertItem key={alert.id} alert={alert} store={store} showCell={showCell} />
      ))}
    </ul>
  );
}
