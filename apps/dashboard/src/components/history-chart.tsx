import type { TelemetryPoint } from '#contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { api, describeProblem, type ApiProblem } from '../lib/api.js';
import { formatCurrent, formatDateTime, formatDuration, formatTicks, formatVoltage } from '../lib/format.js';
import { chooseEvery, HISTORY_WINDOWS } from '../lib/history.js';

const HEIGHT_PX = 220;
/** About one point per two pixels of a laptop-wide chart. */
const MAX_POINTS = 800;
const FOLLOW_EVERY_MS = 10_000;

interface Range {
  from: number;
  to: number;
}

function toColumns(points: readonly TelemetryPoint[]): uPlot.AlignedData {
  return [
    points.map((p) => p.ts / 1000),
    points.map((p) => p.v),
    points.map((p) => p.i),
    points.map((p) => p.t ?? null),
    points.map((p) => p.p ?? null),
  ];
}

/**
 * History from REST. Drag across the plot to zoom: the zoomed window is queried again with a smaller
 * server-side `every`, so detail comes from the store, not from stretching the points already loaded.
 */
export function HistoryChart({
  rigId,
  cellId,
  latestTs,
}: {
  rigId: string;
  cellId: string;
  latestTs: number | undefined;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const onZoom = useRef<(range: Range) => void>(() => undefined);
  const [span_ms, setSpan] = useState<number>(HISTORY_WINDOWS[1].span_ms);
  const [anchor_ms, setAnchor] = useState<number | undefined>(latestTs);
  const [zoom, setZoom] = useState<Range | null>(null);
  const [status, setStatus] = useState<
    | { state: 'loading' }
    | { state: 'loaded'; points: number; every: string | undefined }
    | { state: 'failed'; problem: ApiProblem }
  >({ state: 'loading' });
  onZoom.current = (range) => {
    setFollowing(false);
    setZoom(range);
  };

  // The window ends at the cell's latest data time (not now: a replay runs on its own clock). While
  // following, it moves with the live data, but re-queries at most every FOLLOW_EVERY_MS of wall time and
  // only once the data has moved on by 2 % of the window; zooming stops following, "Latest" resumes it.
  const [following, setFollowing] = useState(true);
  const lastFollow_ms = useRef(0);
  useEffect(() => {
    if (!following || latestTs === undefined) return;
    const wall_ms = Date.now();
    const behind_ms = anchor_ms === undefined ? Infinity : latestTs - anchor_ms;
    if (behind_ms > 0.02 * span_ms && wall_ms - lastFollow_ms.current >= FOLLOW_EVERY_MS) {
      lastFollow_ms.current = wall_ms;
      setAnchor(latestTs);
    }
  }, [latestTs, anchor_ms, following, span_ms]);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: Math.max(300, element.clientWidth),
        height: HEIGHT_PX,
        scales: { x: { time: true } },
        cursor: { drag: { x: true, y: false, setScale: false } },
        series: [
          {},
          { label: 'V', scale: 'V', stroke: '#1d4ed8', width: 1.5, value: (_u, v) => formatVoltage(v) },
          { label: 'I', scale: 'A', stroke: '#b45309', width: 1.5, value: (_u, v) => formatCurrent(v) },
          { label: 'T (°C)', scale: 'C', stroke: '#be123c', width: 1, show: false },
          { label: 'P (MPa)', scale: 'MPa', stroke: '#047857', width: 1, show: false },
        ],
        axes: [
          { font: '11px system-ui' },
          {
            scale: 'V',
            size: 70,
            font: '11px system-ui',
            values: (_u, s, _a, _f, incr) => formatTicks(s, incr, 'V', true),
          },
          {
            scale: 'A',
            side: 1,
            size: 70,
            font: '11px system-ui',
            values: (_u, s, _a, _f, incr) => formatTicks(s, incr, 'A', true),
          },
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 4) return;
              const from = u.posToVal(u.select.left, 'x') * 1000;
              const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              onZoom.current({ from, to });
            },
          ],
        },
      },
      [[], [], [], [], []],
      element,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(300, element.clientWidth), height: HEIGHT_PX }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  const to = anchor_ms ?? Date.now();
  const range: Range = zoom ?? { from: to - span_ms, to };

  useEffect(() => {
    let cancelled = false;
    const every = chooseEvery(range.to - range.from, MAX_POINTS);
    setStatus({ state: 'loading' });
    void api
      .telemetry(rigId, cellId, {
        from: Math.floor(range.from),
        to: Math.ceil(range.to),
        every,
        limit: 10_000,
      })
      .then((result) => {
        if (cancelled) return;
        if (!result.ok) {
          setStatus({ state: 'failed', problem: result.problem });
          return;
        }
        plot.current?.setData(toColumns(result.value));
        setStatus({ state: 'loaded', points: result.value.length, every });
      });
    return () => {
      cancelled = true;
    };
  }, [rigId, cellId, range.from, range.to]);

  return (
    <section class="panel history" aria-label="History">
      <header class="panel-head">
        <h3>History</h3>
        <div class="buttons" role="group" aria-label="History window">
          {HISTORY_WINDOWS.map((w) => (
            <button
              key={w.label}
              type="button"
              aria-pressed={zoom === null && span_ms === w.span_ms}
              onClick={() => {
                setZoom(null);
                setFollowing(true);
                setSpan(w.span_ms);
              }}
            >
              {w.label}
            </button>
          ))}
          <button
            type="button"
            disabled={zoom === null}
            onClick={() => {
              setZoom(null);
              setFollowing(true);
            }}
          >
            Reset zoom
          </button>
          <button
            type="button"
            aria-pressed={following && zoom === null}
            onClick={() => {
              setZoom(null);
              setFollowing(true);
              lastFollow_ms.current = Date.now();
              setAnchor(latestTs ?? Date.now());
            }}
          >
            Follow latest
          </button>
        </div>
      </header>
      <p class="muted small">
        {formatDateTime(range.from)} → {formatDateTime(range.to)} (
        {formatDuration((range.to - range.from) / 1000)}
        {zoom ? ', zoomed' : ''}) · {status.state === 'loading' && 'loading…'}
        {status.state === 'loaded' &&
          `${status.points} points${status.every ? `, means over ${status.every}` : ', raw samples'} · drag across the plot to zoom`}
        {status.state === 'failed' && (
          <span class="error-text">history unavailable: {describeProblem(status.problem)}</span>
        )}
      </p>
      <div
        ref={host}
        class="chart-host"
        data-history-points={status.state === 'loaded' ? status.points : ''}
      />
    </section>
  );
}
