import { FILE_FORMATS, ReplayRequestSchema, SCENARIOS, type ReplayStatus } from '#contracts';
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api, describeProblem } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { routeHref } from '../lib/route.js';
import type { DashboardStore } from '../lib/store.js';

interface ReplayForm {
  kind: 'simulator' | 'file';
  scenario: string;
  seed: string;
  path: string;
  format: string;
  currentA: string;
  rigId: string;
  cellId: string;
  speed: string;
  loop: boolean;
}

const INITIAL: ReplayForm = {
  kind: 'simulator',
  scenario: 'sand-depletion',
  seed: '1',
  path: '',
  format: 'auto',
  currentA: '',
  rigId: 'demo',
  cellId: 'sim-01',
  speed: '60',
  loop: false,
};

function toRequest(form: ReplayForm): unknown {
  const source =
    form.kind === 'simulator'
      ? { kind: 'simulator', scenario: form.scenario, seed: Number(form.seed) }
      : {
          kind: 'file',
          path: form.path.trim(),
          format: form.format,
          ...(form.currentA.trim() === '' ? {} : { currentA: Number(form.currentA) }),
        };
  return {
    source,
    rigId: form.rigId.trim(),
    cellId: form.cellId.trim(),
    speed: form.speed.trim() === 'max' ? 'max' : Number(form.speed),
    loop: form.loop,
  };
}

function Progress({ replay }: { replay: ReplayStatus }) {
  if (replay.rowsTotal === null || replay.rowsTotal === 0) {
    return <span>{replay.rowsPublished.toLocaleString()} rows</span>;
  }
  const fraction = Math.min(1, replay.rowsPublished / replay.rowsTotal);
  return (
    <span class="progress-wrap">
      <progress max={1} value={fraction} aria-label={`progress of replay ${replay.id}`} />
      {(fraction * 100).toFixed(0)} % · {replay.rowsPublished.toLocaleString()} /{' '}
      {replay.rowsTotal.toLocaleString()} rows
    </span>
  );
}

/** Starts a recorded-file or simulator replay, shows its progress from `replay` events, stops it. */
export function ReplayPanel({ store }: { store: DashboardStore }) {
  const [form, setForm] = useState<ReplayForm>(INITIAL);
  const [message, setMessage] = useState<{ ok: boolean; text: string; issues?: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ReplayForm>(key: K, value: ReplayForm[K]): void =>
    setForm((f) => ({ ...f, [key]: value }));

  const start = async (event: JSX.TargetedEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const parsed = ReplayRequestSchema.safeParse(toRequest(form));
    if (!parsed.success) {
      setMessage({
        ok: false,
        text: 'Not started:',
        issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`),
      });
      return;
    }
    setBusy(true);
    const result = await api.startReplay(parsed.data);
    setBusy(false);
    if (!result.ok) {
      setMessage({
        ok: false,
        text: `The API refused the replay: ${describeProblem(result.problem)}`,
        issues: result.problem.kind === 'http' ? result.problem.issues : [],
      });
      return;
    }
    store.applyReplay(result.value);
    setMessage({ ok: true, text: `Replay ${result.value.id} started.` });
  };

  const stop = async (id: string): Promise<void> => {
    const result = await api.stopReplay(id);
    if (!result.ok)
      setMessage({ ok: false, text: `Could not stop ${id}: ${describeProblem(result.problem)}` });
  };

  const replays = [...store.replays.values()].reverse();
  return (
    <section aria-label="Replays" class="replays">
      <div class="toolbar">
        <h2>Replays</h2>
        <span class="muted">publish a recorded run or a simulated one as if a rig sent it</span>
      </div>
      <div class="config-grid">
        <form class="panel" onSubmit={(e) => void start(e)} noValidate>
          <fieldset>
            <legend>Source</legend>
            <label class="inline">
              <input
                type="radio"
                name="kind"
                checked={form.kind === 'simulator'}
                onChange={() => set('kind', 'simulator')}
              />{' '}
              simulator
            </label>
            <label class="inline">
              <input
                type="radio"
                name="kind"
                checked={form.kind === 'file'}
                onChange={() => set('kind', 'file')}
              />{' '}
              recorded file
            </label>
            {form.kind === 'simulator' ? (
              <>
                <div class="field">
                  <label for="rp-scenario">Scenario</label>
                  <select
                    id="rp-scenario"
                    value={form.scenario}
                    onChange={(e) => set('scenario', e.currentTarget.value)}
                  >
                    {SCENARIOS.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="rp-seed">Seed</label>
                  <input
                    id="rp-seed"
                    inputMode="numeric"
                    value={form.seed}
                    onInput={(e) => set('seed', e.currentTarget.value)}
                  />
                </div>
              </>
            ) : (
              <>
                <div class="field">
                  <label for="rp-path">File path on the api's machine</label>
                  <input
                    id="rp-path"
                    value={form.path}
                    placeholder="../shared/fixtures/…"
                    onInput={(e) => set('path', e.currentTarget.value)}
                  />
                </div>
                <div class="field">
                  <label for="rp-format">Format</label>
                  <select
                    id="rp-format"
                    value={form.format}
                    onChange={(e) => set('format', e.currentTarget.value)}
                  >
                    {FILE_FORMATS.map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="rp-current">Constant current for files without one (A)</label>
                  <input
                    id="rp-current"
                    inputMode="decimal"
                    value={form.currentA}
                    onInput={(e) => set('currentA', e.currentTarget.value)}
                  />
                </div>
              </>
            )}
          </fieldset>
          <fieldset>
            <legend>Target and pace</legend>
            <div class="field">
              <label for="rp-rig">Rig id</label>
              <input id="rp-rig" value={form.rigId} onInput={(e) => set('rigId', e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="rp-cell">Cell id</label>
              <input id="rp-cell" value={form.cellId} onInput={(e) => set('cellId', e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="rp-speed">Speed (× data time, 1–10000, or “max”)</label>
              <input id="rp-speed" value={form.speed} onInput={(e) => set('speed', e.currentTarget.value)} />
            </div>
            <label class="inline">
              <input
                type="checkbox"
                checked={form.loop}
                onChange={(e) => set('loop', e.currentTarget.checked)}
              />{' '}
              loop
            </label>
          </fieldset>
          {message && (
            <div class={message.ok ? 'ok-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
              <p>{message.text}</p>
              {message.issues && message.issues.length > 0 && (
                <ul>
                  {message.issues.map((i) => (
                    <li key={i}>{i}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <button type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Start replay'}
          </button>
        </form>
        <div class="panel">
          <h3>Replays</h3>
          {replays.length === 0 && <p class="muted">No replays yet.</p>}
          <ul class="replay-list">
            {replays.map((r) => (
              <li key={r.id} data-replay-id={r.id} data-state={r.state}>
                <div>
                  <strong>{r.source}</strong> →{' '}
                  <a href={routeHref({ view: 'cell', rigId: r.rigId, cellId: r.cellId })}>
                    {r.rigId} / {r.cellId}
                  </a>{' '}
                  · {r.speed === 'max' ? 'max speed' : `${r.speed}×`} · <strong>{r.state}</strong>
                </div>
                <Progress replay={r} />
                <div class="muted small">data time {formatDateTime(r.dataTime)}</div>
                {r.error && <div class="error-text">{r.error}</div>}
                {(r.state === 'running' || r.state === 'paused') && (
                  <button type="button" onClick={() => void stop(r.id)}>
                    Stop
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}
