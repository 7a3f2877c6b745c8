import { useEffect, useState } from 'preact/hooks';
import { ALERT_KINDS, type NotifyRoute, type Silence, type SilenceBody } from '#contracts';
import { describeProblem, type ApiResult } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { lastResult, notifyApi, type Notification, type TestSend } from '../lib/notify-api.js';

/** Loads with `load` now and every `every_ms`; `reload` loads again at once. */
function usePolled<T>(load: () => Promise<ApiResult<T>>, every_ms = 5000) {
  const [result, setResult] = useState<ApiResult<T> | undefined>(undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () => void load().then((r) => live && setResult(r));
    run();
    const timer = setInterval(run, every_ms);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick]);
  return { result, reload: () => setTick((t) => t + 1) };
}

function NotificationTable({ rows, empty }: { rows: Notification[]; empty: string }) {
  if (rows.length === 0) return <p class="empty">{empty}</p>;
  return (
    <table class="notifications">
      <thead>
        <tr>
          <th>channel</th>
          <th>route</th>
          <th>key</th>
          <th>state</th>
          <th>queued</th>
          <th>attempts</th>
          <th>last result</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((n) => (
          <tr key={`${n.channel}:${n.key}`} data-notification={n.key} data-state={n.state}>
            <td>{n.channel}</td>
            <td>
              {n.route ?? ''}
              {n.escalation ? ' (escalation)' : ''}
            </td>
            <td>{n.key}</td>
            <td>
              {n.state}
              {n.state === 'pending' && n.nextAttemptAt !== undefined
                ? ` · next ${formatDateTime(n.nextAttemptAt)}`
                : ''}
            </td>
            <td>{formatDateTime(n.createdAt)}</td>
            <td>{n.attempts}</td>
            <td>{lastResult(n)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SilenceForm({ onAdded }: { onAdded: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    const endsAt = new Date(String(data.get('endsAt') ?? '')).getTime();
    const body = {
      matchers: {
        ...(text('rigId') && { rigId: text('rigId') }),
        ...(text('cellId') && { cellId: text('cellId') }),
        ...(text('kind') && { kind: text('kind') }),
        ...(text('severity') && { severity: text('severity') }),
      },
      endsAt: Number.isFinite(endsAt) ? endsAt : 0,
      ...(text('comment') && { comment: text('comment') }),
    } as SilenceBody;
    const result = await notifyApi.addSilence(body);
    if (!result.ok) return setError(describeProblem(result.problem));
    setError(undefined);
    form.reset();
    onAdded();
  };
  return (
    <form
      class="silence-form"
      aria-label="New silence"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(e.currentTarget);
      }}
    >
      <input name="rigId" placeholder="rig (any)" size={10} />
      <input name="cellId" placeholder="cell (any)" size={10} />
      <select name="kind">
        <option value="">any kind</option>
        {ALERT_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <select name="severity">
        <option value="">any severity</option>
        <option value="warning">warning</option>
        <option value="critical">critical</option>
      </select>
      <label>
        until <input name="endsAt" type="datetime-local" required />
      </label>
      <input name="comment" placeholder="comment" size={16} />
      <button type="submit">Silence</button>
      {error && (
        <p class="error-text" role="alert">
          Could not add the silence: {error}
        </p>
      )}
    </form>
  );
}

function matchText(m: Silence['matchers'] | NotifyRoute['match']): string {
  const parts = Object.entries(m).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  return parts.length > 0 ? parts.join(' · ') : 'every alert';
}

function Silences() {
  const { result, reload } = usePolled(notifyApi.silences);
  const [error, setError] = useState<string | undefined>(undefined);
  const remove = async (id: string) => {
    const r = await notifyApi.removeSilence(id);
    setError(r.ok ? undefined : describeProblem(r.problem));
    reload();
  };
  return (
    <section aria-label="Silences">
      <h3>Silences</h3>
      <SilenceForm onAdded={reload} />
      {result && !result.ok && <p class="error-text">{describeProblem(result.problem)}</p>}
      {error && <p class="error-text">{error}</p>}
      {result?.ok && result.value.length === 0 && <p class="empty">No active silence.</p>}
      {result?.ok && result.value.length > 0 && (
        <ul class="silences">
          {result.value.map((s) => (
            <li key={s.id} data-silence={s.id}>
              {matchText(s.matchers)} · until {formatDateTime(s.endsAt)}
              {s.comment ? ` · ${s.comment}` : ''}{' '}
              <button type="button" onClick={() => void remove(s.id)}>
                End now
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Routes() {
  const { result } = usePolled(notifyApi.routes, 60_000);
  const [sent, setSent] = useState<Record<string, TestSend | string>>({});
  const test = async (name: string) => {
    setSent((s) => ({ ...s, [name]: 'sending…' }));
    const r = await notifyApi.testSend(name);
    setSent((s) => ({ ...s, [name]: r.ok ? r.value : describeProblem(r.problem) }));
  };
  if (!result) return null;
  if (!result.ok) return <p class="error-text">{describeProblem(result.problem)}</p>;
  return (
    <section aria-label="Routes">
      <h3>Routes</h3>
      {result.value.channels.length === 0 && (
        <p class="empty">
          No notification channel is configured (SANDGLASS_NOTIFY_WEBHOOK_URL, _CHAT_URL or _SMTP_URL).
        </p>
      )}
      <ul class="routes" hidden={result.value.channels.length === 0}>
        {result.value.routes.map((route) => {
          const outcome = sent[route.name];
          return (
            <li key={route.name} data-route={route.name}>
              <strong>{route.name}</strong>:{' '}
              {route.escalationOnly ? 'escalations only' : matchText(route.match)} →{' '}
              {route.channels.join(', ')}
              {route.rateLimit ? ` · at most ${route.rateLimit.max} per ${route.rateLimit.per_s} s` : ''}
              {route.group_s ? ` · grouped per rig over ${route.group_s} s` : ''}
              {route.escalate
                ? ` · unacknowledged critical after ${route.escalate.after_min} min → ${route.escalate.to}`
                : ''}{' '}
              <button type="button" onClick={() => void test(route.name)}>
                Send a test
              </button>
              {outcome !== undefined && (
                <span class="test-result" data-test-result={route.name}>
                  {' '}
                  {typeof outcome === 'string'
                    ? outcome
                    : outcome.results
                        .map(
                          (r) =>
                            `${r.channel}: ${r.ok ? 'delivered' : `failed (${r.status ?? r.error ?? '?'})`}`,
                        )
                        .join(' · ')}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Undelivered() {
  const { result } = usePolled(notifyApi.outbox);
  if (!result) return null;
  if (!result.ok) return <p class="error-text">{describeProblem(result.problem)}</p>;
  const { pending, givenUp, notifications } = result.value;
  return (
    <section aria-label="Undelivered notifications">
      <h3>
        Undelivered: {pending} pending, {givenUp} given up
      </h3>
      <NotificationTable rows={notifications} empty="Every notification was delivered." />
    </section>
  );
}

function AlertHistory({ alertId }: { alertId: string }) {
  const { result } = usePolled(() => notifyApi.history(alertId));
  return (
    <section aria-label="Notifications of the alert">
      <h3>Notifications of alert {alertId}</h3>
      {result && !result.ok && <p class="error-text">{describeProblem(result.problem)}</p>}
      {result?.ok && <NotificationTable rows={result.value} empty="No notification for this alert." />}
    </section>
  );
}

/** `#/notifications[?alert=id]`: an alert's notifications, the undelivered ones, routes, silences. */
export function NotificationsView({ alertId }: { alertId: string | null }) {
  return (
    <section aria-label="Notifications" class="notifications-view">
      <h2>Notifications</h2>
      {alertId && <AlertHistory alertId={alertId} />}
      <Undelivered />
      <Routes />
      <Silences />
    </section>
  );
}
