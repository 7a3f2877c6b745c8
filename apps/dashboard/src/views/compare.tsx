import type { CellSummary, CycleSummary } from '#contracts';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CycleChart } from '../components/cycle-chart.js';
import { api, describeProblem, type ApiProblem } from '../lib/api.js';
import { alignedCycleColumns, voltageCapacityCurve, type CycleMetric } from '../lib/cycles.js';
import { chooseEvery } from '../lib/history.js';
import { routeHref } from '../lib/route.js';
import type { DashboardStore } from '../lib/store.js';

type CellRef = { rigId: string; cellId: string };
const label = (c: CellRef) => `${c.rigId}/${c.cellId}`;
/** Points of a voltage–capacity curve fetched per cell. */
const CURVE_POINTS = 2000;

const METRICS: readonly { metric: CycleMetric; title: string; unit: string }[] = [
  { metric: 'dischargeCapacity_mAh', title: 'Capacity fade (discharge capacity)', unit: 'mAh' },
  { metric: 'coulombicEfficiency', title: 'Coulombic efficiency', unit: '%' },
  { metric: 'meanPolarization_V', title: 'Mean polarization', unit: 'V' },
];

/** Aligned columns of several curves on the union of their x values (null where a curve has none). */
function alignCurves(curves: readonly { x: number[]; y: number[] }[]): (number | null)[][] {
  const xs = [...new Set(curves.flatMap((c) => c.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, k) => [x, k]));
  return [
    xs,
    ...curves.map((curve) => {
      const column = new Array<number | null>(xs.length).fill(null);
      curve.x.forEach((x, k) => (column[index.get(x)!] = curve.y[k]!));
      return column;
    }),
  ];
}

/**
 * Cells side by side: capacity fade, coulombic efficiency and polarization against cycle number, and the
 * voltage–capacity curves of one chosen cycle. The choice lives in the URL (`#/compare?cells=…&cycle=N`).
 */
export function CompareView({
  store,
  cells,
  cycle,
}: {
  store: DashboardStore;
  cells: CellRef[];
  cycle: number | null;
}) {
  const [known, setKnown] = useState<CellSummary[]>([...store.cells.values()]);
  const [cycles, setCycles] = useState<Map<string, CycleSummary[]>>(new Map());
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [curves, setCurves] = useState<{ labels: string[]; data: (number | null)[][] }>({
    labels: [],
    data: [[]],
  });
  const versions = cells.map((c) => store.cycleVersion(c.rigId, c.cellId)).join(',');

  useEffect(() => {
    void api.cells().then((result) => result.ok && setKnown(result.value));
  }, []);

  useEffect(() => {
    let cancelled = false;
    void Promise.all(cells.map((c) => api.cycles(c.rigId, c.cellId))).then((results) => {
      if (cancelled) return;
      const next = new Map<string, CycleSummary[]>();
      let failed: ApiProblem | null = null;
      results.forEach((result, k) => {
        if (result.ok) next.set(label(cells[k]!), result.value);
        else failed = result.problem;
      });
      setCycles(next);
      setProblem(failed);
    });
    return () => {
      cancelled = true;
    };
  }, [cells.map(label).join(','), versions]);

  // Voltage against capacity for the chosen cycle: each cell's samples between the cycle's start and end.
  useEffect(() => {
    let cancelled = false;
    if (cycle === null) {
      setCurves({ labels: [], data: [[]] });
      return;
    }
    const wanted = cells.flatMap((c) => {
      const found = cycles.get(label(c))?.find((x) => x.cycle === cycle);
      return found ? [{ cell: c, cycle: found }] : [];
    });
    void Promise.all(
      wanted.map(({ cell, cycle: c }) =>
        api.telemetry(cell.rigId, cell.cellId, {
          from: c.start,
          // A segmented cycle ends where the next one begins: that sample is the next cycle's.
          to: c.source === 'segmented' ? c.end - 0.001 : c.end,
          every: chooseEvery(c.end - c.start, CURVE_POINTS),
          limit: 10_000,
        }),
      ),
    ).then((results) => {
      if (cancelled) return;
      const labels: string[] = [];
      const series: { x: number[]; y: number[] }[] = [];
      results.forEach((result, k) => {
        if (!result.ok) return;
        const curve = voltageCapacityCurve(result.value);
        const name = label(wanted[k]!.cell);
        labels.push(`${name} charge`, `${name} discharge`);
        series.push(
          { x: curve.charge.capacity_mAh, y: curve.charge.v },
          { x: curve.discharge.capacity_mAh, y: curve.discharge.v },
        );
      });
      setCurves({ labels, data: alignCurves(series) });
    });
    return () => {
      cancelled = true;
    };
  }, [cycle, cycles]);

  const chosen = new Set(cells.map(label));
  // Cells the api lists, and chosen ones it does not (a cell with stored data but no state or config).
  const listed: CellRef[] = [...known, ...cells.filter((c) => !known.some((k) => label(k) === label(c)))];
  const go = (nextCells: CellRef[], nextCycle: number | null) => {
    window.location.hash = routeHref({ view: 'compare', cells: nextCells, cycle: nextCycle });
  };
  const lists = cells.map((c) => cycles.get(label(c)) ?? []);
  const charts = useMemo(
    () => METRICS.map((m) => ({ ...m, data: alignedCycleColumns(lists, m.metric) })),
    [cycles, cells.map(label).join(',')],
  );
  const allNumbers = [...new Set(lists.flatMap((l) => l.map((c) => c.cycle)))].sort((a, b) => a - b);

  return (
    <section class="compare-view" aria-label="Compare cells">
      <h2>Compare cells</h2>
      <fieldset class="panel">
        <legend>Cells</legend>
        {listed.length === 0 && <p class="muted small">No cells known yet.</p>}
        {listed.map((c) => (
          <label key={label(c)} class="compare-cell">
            <input
              type="checkbox"
              checked={chosen.has(label(c))}
              onChange={(e) => {
                const ref = { rigId: c.rigId, cellId: c.cellId };
                go(
                  e.currentTarget.checked ? [...cells, ref] : cells.filter((x) => label(x) !== label(ref)),
                  cycle,
                );
              }}
            />{' '}
            {label(c)}
          </label>
        ))}
      </fieldset>
      {problem && <p class="error-text">cycles unavailable: {describeProblem(problem)}</p>}
      <div class="cycle-charts">
        {charts.map((chart) => (
          <CycleChart
            key={chart.metric}
            title={chart.title}
            xLabel="cycle"
            yLabel={chart.unit}
            labels={cells.map(label)}
            data={chart.data}
          />
        ))}
      </div>
      <div class="panel">
        <label>
          Voltage against capacity for cycle{' '}
          <select
            aria-label="Cycle"
            value={cycle === null ? '' : String(cycle)}
            onChange={(e) => go(cells, e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
          >
            <option value="">—</option>
            {allNumbers.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <CycleChart
          title="Voltage against capacity"
          xLabel="mAh"
          yLabel="V"
          labels={curves.labels}
          data={curves.data}
          points={false}
        />
      </div>
    </section>
  );
}
