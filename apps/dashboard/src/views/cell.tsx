import type { AlertKind, Estimates, StateMessage } from '#contracts';
import { useEffect, useRef } from 'preact/hooks';
import { AlertList } from '../components/alert-list.js';
import { CyclePanel } from '../components/cycle-panel.js';
import { HistoryChart } from '../components/history-chart.js';
import { LiveChart, type LiveChartProps } from '../components/live-chart.js';
import { RiskBadge } from '../components/risk-badge.js';
import { api } from '../lib/api.js';
import { KIND_LABEL } from '../lib/evidence.js';
import {
  formatArealCharge,
  formatAreaResistance,
  formatCurrent,
  formatCurrentDensity,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatPressure,
  formatRatio,
  formatSi,
  formatTemperature,
  formatVoltage,
  MISSING,
} from '../lib/format.js';
import { cellKey, cellRisk } from '../lib/risk.js';
import { routeHref } from '../lib/route.js';
import { LIVE_POINTS, LIVE_WINDOW_MS, type DashboardStore } from '../lib/store.js';

/** The four live plots of a cell: what each shows, its unit and its colour. */
const LIVE_CHARTS: readonly Omit<LiveChartProps, 'series' | 'version'>[] = [
  { title: 'Voltage', column: 'v', unit: 'V', si: true, format: formatVoltage, stroke: '#1d4ed8' },
  { title: 'Current', column: 'i', unit: 'A', si: true, format: formatCurrent, stroke: '#b45309' },
  {
    title: 'Temperature',
    column: 't',
    unit: '°C',
    si: false,
    format: formatTemperature,
    stroke: '#be123c',
  },
  { title: 'Stack pressure', column: 'p', unit: 'MPa', si: false, format: formatPressure, stroke: '#047857' },
];

function Meter({ fraction, label }: { fraction: number | null | undefined; label: string }) {
  if (fraction === null || fraction === undefined) return null;
  const clamped = Math.min(1, Math.max(0, fraction));
  return (
    <div
      class="meter"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={1}
      aria-valuenow={clamped}
    >
      <div class="meter-fill" style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}

function Row({
  label,
  value,
  hint,
  meter,
  quantity,
}: {
  label: string;
  value: string;
  hint?: string;
  meter?: number | null;
  /** The state's estimate shown (its name in the state), for whoever reads the page by machine. */
  quantity?: keyof Estimates;
}) {
  return (
    <>
      <dt>{label}</dt>
      <dd class={value === MISSING ? 'muted' : ''} title={hint} data-quantity={quantity}>
        {value}
      </dd>
      <Meter fraction={meter} label={label} />
    </>
  );
}

function PhysicsPanel({ estimates, ts }: { estimates: Estimates; ts: number | undefined }) {
  const e = estimates;
  return (
    <section class="panel physics" aria-label="Physics" data-ts={ts}>
      <h3>Physics</h3>
      <p class="muted small">
        Live: the cell's latest sample{ts === undefined ? '' : ` (data time ${formatDateTime(ts)})`}. An
        alert's evidence is its value at the raise.
      </p>
      <h4>Cell</h4>
      <dl class="kv">
        <Row
          label="Current density J"
          value={formatCurrentDensity(e.currentDensity_A_m2)}
          quantity="currentDensity_A_m2"
        />
        <Row
          label="Area-specific resistance |V/J|"
          value={formatAreaResistance(e.areaSpecificResistance_ohm_m2)}
          quantity="areaSpecificResistance_ohm_m2"
          hint="symmetric Li|Li cells: the whole polarization per unit current density"
        />
      </dl>
      <h4>Li⁺ depletion (Sand's time)</h4>
      <dl class="kv">
        <Row
          label="Depletion at the plating electrode"
          value={formatPercent(e.depletionFraction)}
          meter={e.depletionFraction}
        />
        <Row label="Time to full depletion" value={formatDuration(e.timeToDepletion_s)} />
        <Row
          label="J / J* (critical current)"
          value={formatRatio(e.jOverJstar)}
          hint="above 1× the electrolyte depletes"
        />
      </dl>
      <h4>Voids and contact (solid electrolyte)</h4>
      <dl class="kv">
        <Row
          label="Stripping J / CSC"
          value={formatRatio(e.strippingCurrentOverCsc)}
          hint="above 1× voids grow"
        />
        <Row label="Stripped above CSC" value={formatArealCharge(e.strippingChargeAboveCsc_C_m2)} />
        <Row label="Contact fraction" value={formatPercent(e.contactFraction)} meter={e.contactFraction} />
      </dl>
      <h4>Shorts</h4>
      <dl class="kv">
        <Row label="Short resistance estimate" value={formatSi(e.shortResistance_ohm, 'Ω')} />
      </dl>
      <p class="muted small">— means not applicable to this cell or not estimated yet.</p>
    </section>
  );
}

function ModelPanel({ state }: { state: StateMessage | null }) {
  const model = state?.model;
  return (
    <section class="panel model" aria-label="Model">
      <h3>Model</h3>
      {!model && <p class="muted">No model output for this cell yet.</p>}
      {model && (
        <>
          <p class="muted small">
            Probability of each failure within {formatDuration(model.horizon_s)} · model {model.version}
          </p>
          <ul class="probabilities">
            {(Object.entries(model.probabilities) as [AlertKind, number][])
              .sort((a, b) => b[1] - a[1])
              .map(([kind, p]) => (
                <li key={kind}>
                  <span>{KIND_LABEL[kind]}</span>
                  <span class="bar" aria-hidden="true">
                    <span style={{ width: `${p * 100}%` }} />
                  </span>
                  <strong>{formatPercent(p)}</strong>
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** One cell: live plots, the physics and model estimates, history and its alerts. */
export function CellView({ store, rigId, cellId }: { store: DashboardStore; rigId: string; cellId: string }) {
  const key = cellKey(rigId, cellId);
  const cell = store.cells.get(key);
  const state = cell?.state ?? null;
  const latestTs = state?.ts;
  const backfilled = useRef(false);
  useEffect(() => {
    if (backfilled.current || latestTs === undefined) return;
    backfilled.current = true;
    // 1 s means: the live trace's own rate, so the backfill never outgrows the ring buffer.
    void api
      .telemetry(rigId, cellId, {
        from: latestTs - LIVE_WINDOW_MS,
        to: latestTs,
        every: '1s',
        limit: LIVE_POINTS,
      })
      .then((result) => {
        if (result.ok) store.backfill(rigId, cellId, result.value);
      });
  }, [latestTs, rigId, cellId, store]);
  const series = store.series.get(key);
  const version = series?.version ?? 0;
  const alerts = store.alertsNewestFirst().filter((a) => a.rigId === rigId && a.cellId === cellId);
  const risk = cell ? cellRisk(cell, alerts) : 'no-data';
  const levels = state
    ? (Object.entries(state.levels) as [AlertKind, string][]).filter(([, l]) => l !== 'ok')
    : [];

  return (
    <section aria-label={`Cell ${rigId} / ${cellId}`} class="cell-view">
      <div class="toolbar">
        <h2>
          <span class="muted">{rigId} /</span> {cellId}
        </h2>
        <RiskBadge risk={risk} />
        <span>
          {levels.length > 0
            ? levels
                .map(([kind, level]) => `${level === 'critical' ? '✖' : '▲'} ${KIND_LABEL[kind]}`)
                .join(' · ')
            : state
              ? 'no detector firing'
              : 'no data yet'}
        </span>
        <span class="muted small">
          {state ? `data time ${formatDateTime(state.ts)} · ${state.samples} samples · run ${state.run}` : ''}
        </span>
        <a class="button" href={routeHref({ view: 'config', rigId, cellId })}>
          Configuration{cell && !cell.configured ? ' (default)' : ''}
        </a>
      </div>
      <div class="cell-grid">
        <div class="live-charts">
          {LIVE_CHARTS.map((chart) => (
            <LiveChart key={chart.column} {...chart} series={series} version={version} />
          ))}
        </div>
        <div class="side">
          <PhysicsPanel estimates={state?.estimates ?? {}} ts={state?.ts} />
          <ModelPanel state={state} />
        </div>
      </div>
      <HistoryChart rigId={rigId} cellId={cellId} latestTs={state?.ts} />
      <CyclePanel rigId={rigId} cellId={cellId} version={store.cycleVersion(rigId, cellId)} />
      <section class="panel" aria-label="Cell alerts">
        <h3>Alerts of this cell</h3>
        <AlertList alerts={alerts} store={store} showCell={false} empty="No alerts for this cell." />
      </section>
    </section>
  );
}
