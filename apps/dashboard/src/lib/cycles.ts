import type { CycleSummary, TelemetryPoint } from '#contracts';

/** Cycle plots of one cell as uPlot columns: x = cycle number, then charge and discharge capacity (mAh), CE (%). */
export function cellCycleColumns(cycles: readonly CycleSummary[]): [number[], ...(number | null)[][]] {
  return [
    cycles.map((c) => c.cycle),
    cycles.map((c) => c.chargeCapacity_mAh),
    cycles.map((c) => c.dischargeCapacity_mAh),
    cycles.map((c) => (c.coulombicEfficiency === null ? null : c.coulombicEfficiency * 100)),
  ];
}

export type CycleMetric = 'dischargeCapacity_mAh' | 'coulombicEfficiency' | 'meanPolarization_V';

/**
 * Several cells' cycles on one x axis (the union of their cycle numbers, ascending), one column per cell
 * with null where a cell has no such cycle; CE in percent.
 */
export function alignedCycleColumns(
  cells: readonly (readonly CycleSummary[])[],
  metric: CycleMetric,
): [number[], ...(number | null)[][]] {
  const numbers = [...new Set(cells.flatMap((cycles) => cycles.map((c) => c.cycle)))].sort((a, b) => a - b);
  const columns = cells.map((cycles) => {
    const byNumber = new Map(cycles.map((c) => [c.cycle, c]));
    return numbers.map((n) => {
      const value = byNumber.get(n)?.[metric];
      if (value === undefined || value === null) return null;
      return metric === 'coulombicEfficiency' ? value * 100 : value;
    });
  });
  return [numbers, ...columns];
}

/** Voltage against the charge passed since the start of each half-cycle (mAh), charge and discharge apart. */
export interface VoltageCapacityCurve {
  charge: { capacity_mAh: number[]; v: number[] };
  discharge: { capacity_mAh: number[]; v: number[] };
}

/**
 * The voltage–capacity curve of one cycle from its samples (oldest first): charge is integrated with the
 * trapezoid rule over the real time steps, Q = Σ ½(i₀ + i₁)Δt, separately while the current is positive
 * (charge) and negative (discharge); rests add nothing.
 */
export function voltageCapacityCurve(points: readonly TelemetryPoint[]): VoltageCapacityCurve {
  const curve: VoltageCapacityCurve = {
    charge: { capacity_mAh: [], v: [] },
    discharge: { capacity_mAh: [], v: [] },
  };
  let charge_mAh = 0;
  let discharge_mAh = 0;
  let previous: TelemetryPoint | undefined;
  for (const point of points) {
    if (point.v === null || point.i === null) continue;
    if (previous && previous.i !== null) {
      const dt_h = (point.ts - previous.ts) / 3_600_000;
      const mean_mA = ((previous.i + point.i) / 2) * 1000;
      if (previous.i > 0 && point.i > 0) charge_mAh += mean_mA * dt_h;
      else if (previous.i < 0 && point.i < 0) discharge_mAh -= mean_mA * dt_h;
    }
    if (point.i > 0) {
      curve.charge.capacity_mAh.push(charge_mAh);
      curve.charge.v.push(point.v);
    } else if (point.i < 0) {
      curve.discharge.capacity_mAh.push(discharge_mAh);
      curve.discharge.v.push(point.v);
    }
    previous = point;
  }
  return curve;
}

/** `rig/cell` keys of a compare route, deduplicated, in order. */
export function parseCellList(text: string | null): { rigId: string; cellId: string }[] {
  const seen = new Set<string>();
  const cells: { rigId: string; cellId: string }[] = [];
  for (const part of (text ?? '').split(',')) {
    const [rigId, cellId, ...rest] = part.split('/');
    if (!rigId || !cellId || rest.length > 0 || seen.has(part)) continue;
    seen.add(part);
    cells.push({ rigId, cellId });
  }
  return cells;
}
