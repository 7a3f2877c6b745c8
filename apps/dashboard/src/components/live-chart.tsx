import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatTicks } from '../lib/format.js';
import { SERIES_COLUMNS, type LiveSeries } from '../lib/store.js';

export interface LiveChartProps {
  title: string;
  series: LiveSeries | undefined;
  column: Exclude<keyof typeof SERIES_COLUMNS, 'ts_s'>;
  format: (value: number) => string;
  /** Axis unit, and whether its ticks take an SI prefix (mV, mA) or stay in the unit (°C, MPa). */
  unit: string;
  si: boolean;
  stroke: string;
  /** The series' version, so the chart redraws exactly when its data moved. */
  version: number;
}

const HEIGHT_PX = 175;

/**
 * One live plot. The uPlot instance is created once; new data only goes through `setData` from the
 * cell's ring buffer (the pattern of uPlot's stream-data demo), and the width follows the container.
 */
export function LiveChart({ title, series, column, format, unit, si, stroke, version }: LiveChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: HEIGHT_PX,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        series: [{}, { label: title, stroke, width: 1.5, points: { show: false } }],
        axes: [
          { size: 30, font: '11px system-ui' },
          {
            size: 70,
            font: '11px system-ui',
            values: (_u, splits, _axis, _space, increment) => formatTicks(splits, increment, unit, si),
          },
        ],
      },
      [[], []],
      element,
    );
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT_PX }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Built once per mount: title, format and stroke are fixed for a given chart.
  }, []);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    if (!series) {
      chart.setData([[], []]);
      return;
    }
    chart.setData([
      series.buffer.column(SERIES_COLUMNS.ts_s) as number[],
      series.buffer.column(SERIES_COLUMNS[column]),
    ]);
  }, [series, version, column]);

  const last = series?.buffer.fromEnd(SERIES_COLUMNS[column]);
  return (
    <figure class="chart" data-chart={column} data-points={series?.buffer.length ?? 0} data-version={version}>
      <figcaption>
        {title} <strong>{last === undefined || Number.isNaN(last) ? '—' : format(last)}</strong>
      </figcaption>
      <div ref={host} class="chart-host" />
    </figure>
  );
}
