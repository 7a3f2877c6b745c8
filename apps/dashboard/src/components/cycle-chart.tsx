import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const HEIGHT_PX = 220;
/** Distinct strokes for overlaid cells (colour-blind safe: Okabe–Ito). */
export const CELL_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];

export interface CycleChartProps {
  title: string;
  xLabel: string;
  yLabel: string;
  /** One label per y column of `data`. */
  labels: readonly string[];
  /** uPlot aligned columns: x, then one column per label (null = no point). */
  data: readonly (readonly (number | null)[])[];
  /** Draw points (per-cycle values) rather than only lines (curves). */
  points?: boolean;
}

/**
 * A small uPlot chart against a numeric x (cycle number or capacity). The chart is built once per set of
 * series and then only fed with `setData`; `data-points` on the host says how many x values it shows.
 */
export function CycleChart({ title, xLabel, yLabel, labels, data, points = true }: CycleChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = labels.join('\u0000');

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: Math.max(300, element.clientWidth),
        height: HEIGHT_PX,
        scales: { x: { time: false } },
        series: [
          { label: xLabel },
          ...labels.map((label, k) => ({
            label,
            stroke: CELL_COLOURS[k % CELL_COLOURS.length]!,
            width: 1.5,
            spanGaps: true,
            points: { show: points, size: 5 },
          })),
        ],
        axes: [
          { label: xLabel, font: '11px system-ui', labelFont: '11px system-ui' },
          { label: yLabel, size: 70, font: '11px system-ui', labelFont: '11px system-ui' },
        ],
      },
      data as uPlot.AlignedData,
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
    // Rebuilt only when the series change; data goes through setData below.
  }, [key, xLabel, yLabel, points]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure class="cycle-chart">
      <figcaption>{title}</figcaption>
      <div ref={host} class="chart-host" data-cycle-chart={title} data-points={data[0]?.length ?? 0} />
    </figure>
  );
}
