/** Server-side downsampling steps offered to the history query, shortest first. */
const STEPS_MS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
  1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** A duration in the `every` syntax of the telemetry query: 500 → "500ms", 60000 → "1m". */
export function durationString(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}

/**
 * The `every` for a history window so the server returns at most about `maxPoints` points, or
 * undefined when raw points would already be fewer than that at the given sample period.
 */
export function chooseEvery(span_ms: number, maxPoints: number, samplePeriod_ms = 1000): string | undefined {
  if (!(span_ms > 0) || maxPoints < 1) return undefined;
  if (span_ms / samplePeriod_ms <= maxPoints) return undefined;
  const wanted_ms = span_ms / maxPoints;
  const step = STEPS_MS.find((s) => s >= wanted_ms) ?? STEPS_MS[STEPS_MS.length - 1]!;
  return durationString(step);
}

/** Preset history windows the cell view offers. */
export const HISTORY_WINDOWS = [
  { label: '15 min', span_ms: 15 * 60_000 },
  { label: '1 h', span_ms: 3_600_000 },
  { label: '6 h', span_ms: 6 * 3_600_000 },
  { label: '24 h', span_ms: 24 * 3_600_000 },
  { label: '7 d', span_ms: 7 * 86_400_000 },
] as const;
