/**
 * Formatting of lab quantities with their units. Every function returns '—' for a missing value. Unit
 * conversions are #physics's (the cell model's), so the dashboard and the detectors convert alike.
 */
import { A_m2_to_mA_cm2, ohm_m2_to_ohm_cm2 } from '#physics';

export const MISSING = '—';

type Maybe = number | null | undefined;

function missing(value: Maybe): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value);
}

const PREFIXES = [
  { factor: 1e3, prefix: 'k' },
  { factor: 1, prefix: '' },
  { factor: 1e-3, prefix: 'm' },
  { factor: 1e-6, prefix: 'µ' },
  { factor: 1e-9, prefix: 'n' },
] as const;

/** Trims a toPrecision string to at most `digits` significant digits without exponent notation. */
function significant(value: number, digits: number): string {
  const rounded = Number(value.toPrecision(digits));
  const magnitude = rounded === 0 ? 0 : Math.floor(Math.log10(Math.abs(rounded)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return rounded.toFixed(Math.min(decimals, 12));
}

/** A value with an SI prefix chosen so the mantissa is in [1, 1000): 0.0123 V → "12.3 mV". */
export function formatSi(value: Maybe, unit: string, digits = 3): string {
  if (missing(value)) return MISSING;
  if (!Number.isFinite(value)) return `${value > 0 ? '∞' : '−∞'} ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const abs = Math.abs(value);
  const choice = PREFIXES.find((p) => abs >= p.factor * 0.9995) ?? PREFIXES[PREFIXES.length - 1]!;
  return `${significant(value / choice.factor, digits)} ${choice.prefix}${unit}`;
}

/** A value with a fixed number of decimals: 25.14 °C → "25.1 °C". */
export function formatFixed(value: Maybe, unit: string, decimals: number): string {
  if (missing(value)) return MISSING;
  return `${value.toFixed(decimals)} ${unit}`;
}

export const formatVoltage = (v_V: Maybe): string => formatSi(v_V, 'V', 4);
export const formatCurrent = (i_A: Maybe): string => formatSi(i_A, 'A', 3);
export const formatTemperature = (t_C: Maybe): string => formatFixed(t_C, '°C', 1);
export const formatPressure = (p_MPa: Maybe): string => formatFixed(p_MPa, 'MPa', 2);

/** Current density given in A/m², shown in the lab unit mA/cm² (1 A/m² = 0.1 mA/cm²). */
export function formatCurrentDensity(j_A_m2: Maybe): string {
  if (missing(j_A_m2)) return MISSING;
  return `${significant(A_m2_to_mA_cm2(j_A_m2), 3)} mA/cm²`;
}

/** Area-specific resistance given in Ω·m², shown in Ω·cm² (1 Ω·m² = 10⁴ Ω·cm²). */
export function formatAreaResistance(asr_ohm_m2: Maybe): string {
  if (missing(asr_ohm_m2)) return MISSING;
  return `${significant(ohm_m2_to_ohm_cm2(asr_ohm_m2), 3)} Ω·cm²`;
}

/** 1 mAh/cm² = 3.6 C/cm² = 36 000 C/m². */
export const C_M2_PER_MAH_CM2 = 36_000;

/** Charge per area given in C/m², shown in the lab unit mAh/cm² (1 mAh/cm² of Li is about 4.85 µm). */
export function formatArealCharge(charge_C_m2: Maybe): string {
  if (missing(charge_C_m2)) return MISSING;
  return formatFixed(charge_C_m2 / C_M2_PER_MAH_CM2, 'mAh/cm²', 3);
}

/** A fraction 0…1 as a percentage: 0.781 → "78 %". */
export function formatPercent(fraction: Maybe, decimals = 0): string {
  if (missing(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(decimals)} %`;
}

/** A dimensionless ratio: 1.8 → "1.80×". */
export function formatRatio(ratio: Maybe): string {
  if (missing(ratio)) return MISSING;
  return `${significant(ratio, 3)}×`;
}

/** A duration in seconds in words a person reads at a glance: 240 → "4 min", 5400 → "1 h 30 min". */
export function formatDuration(seconds: Maybe): string {
  if (missing(seconds)) return MISSING;
  if (!Number.isFinite(seconds)) return seconds > 0 ? 'never' : MISSING;
  if (seconds <= 0) return 'now';
  if (seconds < 1) return `${significant(seconds * 1000, 2)} ms`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} d`;
}

/** Date and time of an epoch-ms instant, "2025-11-25 08:40:00" in the given (default local) time zone. */
export function formatDateTime(ts_ms: Maybe, timeZone?: string): string {
  if (missing(ts_ms)) return MISSING;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ts_ms);
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** How long ago, from two epoch-ms instants: "12 s ago". */
export function formatAgo(then_ms: Maybe, now_ms: number): string {
  if (missing(then_ms)) return MISSING;
  const seconds = (now_ms - then_ms) / 1000;
  if (seconds < 1) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

/**
 * Axis tick labels: one SI prefix for the whole axis (chosen by its largest tick) when `si`, and just
 * enough decimals to tell neighbouring ticks `increment` apart.
 */
export function formatTicks(
  splits: readonly number[],
  increment: number,
  unit: string,
  si: boolean,
): string[] {
  const largest = Math.max(0, ...splits.map((s) => Math.abs(s)));
  const choice = si
    ? (PREFIXES.find((p) => (largest || Math.abs(increment)) >= p.factor * 0.9995) ??
      PREFIXES[PREFIXES.length - 1]!)
    : { factor: 1, prefix: '' };
  const step = Math.abs(increment) / choice.factor;
  const decimals = step > 0 ? Math.min(12, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  return splits.map((s) => `${(s / choice.factor).toFixed(decimals)} ${choice.prefix}${unit}`);
}
