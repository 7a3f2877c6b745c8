import type { AlertKind } from '#contracts';
import { useState } from 'preact/hooks';
import { RiskBadge } from '../components/risk-badge.js';
import { KIND_LABEL } from '../lib/evidence.js';
import { formatAgo, formatCurrent, formatPressure, formatTemperature, formatVoltage } from '../lib/format.js';
import { cellRisk, RISK_LABEL, sortByRisk } from '../lib/risk.js';
import { routeHref } from '../lib/route.js';
import type { DashboardStore } from '../lib/store.js';

type SortOrder = 'risk' | 'name';

/** A cell silent this long is marked stale: a stopped rig must not look like a healthy one. */
export const STALE_AFTER_MS = 60_000;

function TileAge({
  seen_ms,
  now,
  configured,
}: {
  seen_ms: number | undefined;
  now: number;
  configured: boolean;
}) {
  const stale = seen_ms !== undefined && now - seen_ms > STALE_AFTER_MS;
  const parts: string[] = [];
  if (seen_ms !== undefined) {
    parts.push(
      stale
        ? `⏸ silent for ${formatAgo(seen_ms, now).replace(/ ago$/, '')}`
        : `updated ${formatAgo(seen_ms, now)}`,
    );
  }
  if (!configured) parts.push('default configuration');
  return (
    <p class={`tile-foot ${stale ? 'stale' : 'muted'}`} data-stale={stale ? 'true' : undefined}>
      {parts.join(' · ')}
    </p>
  );
}

/** Every cell as a tile, worst first, with its latest V, I, T, P and what is wrong with it in words. */
export function Overview({ store, now }: { store: DashboardStore; now: number }) {
  const [rig, setRig] = useState('');
  const [order, setOrder] = useState<SortOrder>('risk');
  const all = [...store.cells.values()];
  const rigs = [...new Set(all.map((c) => c.rigId))].sort();
  const alerts = [...store.alerts.values()];
  const tiles = all
    .filter((cell) => rig === '' || cell.rigId === rig)
    .map((cell) => ({ ...cell, risk: cellRisk(cell, alerts) }));
  const sorted =
    order === 'risk'
      ? sortByRisk(tiles)
      : tiles.sort((a, b) => a.rigId.localeCompare(b.rigId) || a.cellId.localeCompare(b.cellId));
  const counts = { critical: 0, warning: 0, ok: 0, 'no-data': 0 };
  for (const tile of tiles) counts[tile.risk]++;

  return (
    <section aria-label="Overview">
      <div class="toolbar">
        <h2>Cells</h2>
        <label>
          Rig{' '}
          <select value={rig} onChange={(e) => setRig(e.currentTarget.value)} name="rig">
            <option value="">all rigs</option>
            {rigs.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort{' '}
          <select value={order} onChange={(e) => setOrder(e.currentTarget.value as SortOrder)} name="sort">
            <option value="risk">worst risk first</option>
            <option value="name">by rig and cell</option>
          </select>
        </label>
        <span class="muted">
          {(['critical', 'warning', 'ok', 'no-data'] as const)
            .filter((r) => counts[r] > 0)
            .map((r) => `${counts[r]} ${RISK_LABEL[r].text.toLowerCase()}`)
            .join(' · ') || 'no cells yet'}
        </span>
      </div>
      {sorted.length === 0 && (
        <p class="empty">
          No cells have reported yet. Cells appear here as soon as a rig (or a replay) publishes telemetry.
        </p>
      )}
      <ul class="tiles">
        {sorted.map((cell) => {
          const state = cell.state;
          const problems = state
            ? (Object.entries(state.levels) as [AlertKind, string][]).filter(([, level]) => level !== 'ok')
            : [];
          return (
            <li
              key={`${cell.rigId}/${cell.cellId}`}
              class={`tile risk-${cell.risk}`}
              data-cell={`${cell.rigId}/${cell.cellId}`}
            >
              <a href={routeHref({ view: 'cell', rigId: cell.rigId, cellId: cell.cellId })}>
                <div class="tile-head">
                  <span class="tile-name">
                    <span class="tile-rig muted">{cell.rigId}</span>
                    {cell.cellId}
                  </span>
                  <RiskBadge risk={cell.risk} />
                </div>
                <dl class="readings">
                  <dt>V</dt>
                  <dd>{formatVoltage(state?.v)}</dd>
                  <dt>I</dt>
                  <dd>{formatCurrent(state?.i)}</dd>
                  <dt>T</dt>
                  <dd>{formatTemperature(state?.t)}</dd>
                  <dt>P</dt>
                  <dd>{formatPressure(state?.p)}</dd>
                </dl>
                <p class="tile-foot">
                  {problems.length > 0
                    ? problems
                        .map(([kind, level]) => `${level === 'critical' ? '✖' : '▲'} ${KIND_LABEL[kind]}`)
                        .join(' · ')
                    : state
                      ? 'no detector firing'
                      : 'waiting for data'}
                </p>
                <TileAge
                  seen_ms={store.lastSeen.get(`${cell.rigId}/${cell.cellId}`)}
                  now={now}
                  configured={cell.configured}
                />
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
