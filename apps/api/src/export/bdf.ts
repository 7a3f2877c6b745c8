import type { CycleSummary } from '#contracts';

/**
 * Column names of exports, from the Battery Data Format (Battery Data Alliance, "preferred labels":
 * `Quantity / unit`) where it has one; `Temperature T1 / degC` and `Stack Pressure / MPa` follow its
 * pattern for quantities it does not name. Test time counts from the first exported sample.
 */
export const SAMPLE_COLUMNS = [
  'Test Time / s',
  'Unix Time / s',
  'Voltage / V',
  'Current / A',
  'Temperature T1 / degC',
  'Stack Pressure / MPa',
  'Cycle Count / 1',
  'Step Index / 1',
] as const;

/** Columns holding counts or indices, exported as integers. */
export const INTEGER_COLUMNS = ['Cycle Count / 1', 'Step Index / 1', 'Complete / 1'];

/** Per-cycle table: BDF's capacity and energy labels in Ah / Wh, the rest in the same pattern. */
export const CYCLE_COLUMNS = [
  'Cycle Count / 1',
  'Start Unix Time / s',
  'End Unix Time / s',
  'Charging Capacity / Ah',
  'Discharging Capacity / Ah',
  'Coulombic Efficiency / 1',
  'Charging Energy / Wh',
  'Discharging Energy / Wh',
  'Mean Polarization / V',
  'Mean Charging Voltage / V',
  'Mean Discharging Voltage / V',
  'Duration / s',
  'Complete / 1',
] as const;

/** One CSV field: quoted when it holds a comma, quote or newline (RFC 4180). */
function field(name: string): string {
  return /[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

export const cyclesCsvHeader = (): string => CYCLE_COLUMNS.map(field).join(',') + '\n';

/** A number as CSV text; an absent value (NaN, null) is an empty field. */
function num(x: number | null): string {
  return x === null || x !== x ? '' : String(x);
}

/** A cycle as the values of CYCLE_COLUMNS (SI-ish export units: Ah, Wh, s). */
export function cycleRow(c: CycleSummary): (number | null)[] {
  return [
    c.cycle,
    c.start / 1000,
    c.end / 1000,
    c.chargeCapacity_mAh / 1000,
    c.dischargeCapacity_mAh / 1000,
    c.coulombicEfficiency,
    c.chargeEnergy_mWh / 1000,
    c.dischargeEnergy_mWh / 1000,
    c.meanPolarization_V,
    c.meanChargeVoltage_V,
    c.meanDischargeVoltage_V,
    c.duration_s,
    c.complete ? 1 : 0,
  ];
}

export function cyclesCsvRows(cycles: readonly CycleSummary[]): string {
  return cycles.map((c) => cycleRow(c).map(num).join(',') + '\n').join('');
}
