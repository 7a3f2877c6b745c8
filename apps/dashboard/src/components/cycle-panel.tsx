import type { CycleSummary } from '#contracts';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, describeProblem, type ApiProblem } from '../lib/api.js';
import { cellCycleColumns } from '../lib/cycles.js';
import { routeHref } from '../lib/route.js';
import { CycleChart } from './cycle-chart.js';

const exportHref = (rigId: string, cellId: string, query: string) =>
  `api/cells/${encodeURIComponent(rigId)}/${encodeURIComponent(cellId)}/export?${query}`;

/**
 * A cell's completed cycles: capacity and coulombic efficiency against cycle number. Reloaded when the
 * live feed reports a new cycle of this cell (`version`).
 */
export function CyclePanel({ rigId, cellId, version }: { rigId: string; cellId: string; version: number }) {
  const [cycles, setCycles] = useState<CycleSummary[]>([]);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  useEffect(() => {
    let cancelled = false;
    void api.cycles(rigId, cellId).then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setCycles(result.value);
        setProblem(null);
      } else setProblem(result.problem);
    });
    return () => {
      cancelled = true;
    };
  }, [rigId, cellId, version]);
  const columns = useMemo(() => cellCycleColumns(cycles), [cycles]);
  const last = cycles.at(-1);
  return (
    <section class="panel cycles" aria-label="Cycles" data-cycles={cycles.length}>
      <header class="panel-head">
        <h3>Cycles</h3>
        <div class="buttons">
          <a href={routeHref({ view: 'compare', cells: [{ rigId, cellId }], cycle: last?.cycle ?? null })}>
            Compare with other cells
          </a>
          {' · export '}
          <a href={exportHref(rigId, cellId, 'format=csv')} download>
            samples CSV
          </a>{' '}
          <a href={exportHref(rigId, cellId, 'format=parquet')} download>
            Parquet
          </a>{' '}
          <a href={exportHref(rigId, cellId, 'format=csv&table=cycles')} download>
            cycles CSV
          </a>
        </div>
      </header>
      {problem && <p class="error-text">cycles unavailable: {describeProblem(problem)}</p>}
      {!problem && cycles.length === 0 && (
        <p class="muted small">No completed cycle yet: a cycle is a charge and a discharge.</p>
      )}
      {last && (
        <p class="muted small">
          {cycles.length} cycles; last (#{last.cycle}): charge {last.chargeCapacity_mAh.toPrecision(4)} mAh,
          discharge {last.dischargeCapacity_mAh.toPrecision(4)} mAh, CE{' '}
          {last.coulombicEfficiency === null ? '—' : `${(last.coulombicEfficiency * 100).toFixed(2)} %`},
          polarization{' '}
          {last.meanPolarization_V === null ? '—' : `${last.meanPolarization_V.toPrecision(3)} V`}
        </p>
      )}
      <div class="cycle-charts">
        <CycleChart
          title="Capacity"
          xLabel="cycle"
          yLabel="mAh"
          labels={['charge', 'discharge']}
          data={[columns[0], columns[1]!, columns[2]!]}
        />
        <CycleChart
          title="Coulombic efficiency"
          xLabel="cycle"
          yLabel="%"
          labels={['CE']}
          data={[columns[0], columns[3]!]}
        />
      </div>
    </section>
  );
}
