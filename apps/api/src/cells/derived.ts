import type { CellConfig, StateMessage } from '#contracts';
import {
  lookupCriticalCurrentDensity,
  criticalStrippingCurrent_A_m2,
  limitingCurrentDensity_A_m2,
  resolveCellConfig,
  sandTime_s,
  A_m2_to_mA_cm2,
  C_to_K,
  K_to_C,
  MPa_to_Pa,
  cm2_to_m2,
  currentDensity_A_m2,
} from '#physics';
import { z } from 'zod';

const nullableNumber = z.number().nullable();

/** Numbers derived from a cell's configuration at its present conditions (lab units, names carry them). */
export const DerivedNumbersSchema = z.object({
  electrolyteKind: z.enum(['liquid', 'polymer', 'solid']).nullable(),
  /** The conditions the numbers are for: the latest live state, else the configured/reference ones. */
  temperature_C: nullableNumber,
  pressure_MPa: nullableNumber,
  /** Salt diffusivity used (at temperature_C). */
  diffusivity_cm2_s: nullableNumber,
  /** Critical (limiting) current density J* = 2 z F c0 D / (t_a L) for the configured gap. */
  limitingCurrentDensity_mA_cm2: nullableNumber,
  /** J* times the electrode area. */
  limitingCurrent_mA: nullableNumber,
  /** |I| / area of the latest live state. */
  presentCurrentDensity_mA_cm2: nullableNumber,
  /** Sand's time at the present current (constant-current, semi-infinite). */
  sandTimeAtPresentCurrent_s: nullableNumber,
  /** Critical stripping current density at the present pressure and temperature (solid electrolytes). */
  criticalStrippingCurrent_mA_cm2: nullableNumber,
  /** Critical (plating) current density at the present temperature, from the preset's measured table. */
  criticalCurrentDensity_mA_cm2: nullableNumber,
  /** How numbers were obtained, or why one is missing. */
  notes: z.array(z.string()),
});
export type DerivedNumbers = z.infer<typeof DerivedNumbersSchema>;

const finite = (x: number | undefined | null): number | null =>
  x !== undefined && x !== null && Number.isFinite(x) ? x : null;

/**
 * What GET config shows beside a configuration: J* for the configured gap and, for solid electrolytes,
 * the CSC at the present stack pressure and temperature (the latest live state, else nominal values).
 * The configuration is resolved by the detectors' own `resolveCellConfig` (#physics cell model), so these
 * are the numbers the detectors work with. Never throws: a number that cannot be had is null with a note.
 */
export function deriveNumbers(config: CellConfig, latest: StateMessage | undefined): DerivedNumbers {
  const resolved = resolveCellConfig(config);
  const notes = [...resolved.warnings];
  const live_K = latest?.t !== undefined ? C_to_K(latest.t) : undefined;
  const pressure_MPa = latest?.p ?? config.stack?.nominalPressure_MPa ?? null;
  const present_A_m2 = latest
    ? Math.abs(currentDensity_A_m2(latest.i, cm2_to_m2(config.electrodeArea_cm2)))
    : null;
  const none: DerivedNumbers = {
    electrolyteKind: config.electrolyte.kind ?? null,
    temperature_C: latest?.t ?? null,
    pressure_MPa,
    diffusivity_cm2_s: null,
    limitingCurrentDensity_mA_cm2: null,
    limitingCurrent_mA: null,
    presentCurrentDensity_mA_cm2: present_A_m2 === null ? null : A_m2_to_mA_cm2(present_A_m2),
    sandTimeAtPresentCurrent_s: null,
    criticalStrippingCurrent_mA_cm2: null,
    criticalCurrentDensity_mA_cm2: null,
    notes,
  };
  if (!resolved.ok) return { ...none, notes: [...notes, ...resolved.problems] };
  const cell = resolved.cell;
  if (live_K === undefined) notes.push('no live temperature: numbers at the reference temperature');
  const temperature_K = live_K ?? cell.referenceTemperature_K;

  let diffusivity_m2_s: number | null = null;
  let jStar_mA_cm2: number | null = null;
  let sand_s: number | null = null;
  if (cell.diffusivityAt_m2_s) {
    diffusivity_m2_s = finite(cell.diffusivityAt_m2_s(temperature_K));
    const transport = {
      diffusivity_m2_s: diffusivity_m2_s ?? NaN,
      concentration_mol_m3: cell.concentration_mol_m3,
      anionTransference: cell.anionTransference,
    };
    jStar_mA_cm2 = finite(A_m2_to_mA_cm2(limitingCurrentDensity_A_m2({ ...transport, gap_m: cell.gap_m })));
    if (present_A_m2 !== null && present_A_m2 > 0)
      sand_s = finite(sandTime_s({ ...transport, currentDensity_A_m2: present_A_m2 }));
  } else if (cell.kind !== 'solid') {
    notes.push(`t+ = ${1 - cell.anionTransference}: the salt does not deplete, no J*`);
  }

  let csc_mA_cm2: number | null = null;
  let ccd_mA_cm2: number | null = null;
  if (cell.kind === 'solid') {
    if (cell.cscTable.length === 0) notes.push('no CSC given and no preset table: no CSC');
    else if (pressure_MPa === null) notes.push('no stack pressure known: no CSC');
    else
      csc_mA_cm2 = finite(
        A_m2_to_mA_cm2(
          criticalStrippingCurrent_A_m2(
            cell.cscTable,
            MPa_to_Pa(pressure_MPa),
            temperature_K,
            cell.cscTemperature_K,
          ),
        ),
      );
    if (cell.ccdTable.length > 0) {
      const ccd = lookupCriticalCurrentDensity(cell.ccdTable, temperature_K);
      if (ccd.inside) ccd_mA_cm2 = A_m2_to_mA_cm2(ccd.ccd_A_m2);
      else {
        notes.push(
          `${K_to_C(temperature_K).toFixed(0)} °C is ${ccd.side} the measured CCD table ` +
            `(${K_to_C(ccd.range_K[0]).toFixed(0)}–${K_to_C(ccd.range_K[1]).toFixed(0)} °C): no CCD`,
        );
      }
    }
  }

  return {
    ...none,
    electrolyteKind: cell.kind,
    temperature_C: K_to_C(temperature_K),
    diffusivity_cm2_s: diffusivity_m2_s === null ? null : diffusivity_m2_s * 1e4,
    limitingCurrentDensity_mA_cm2: jStar_mA_cm2,
    limitingCurrent_mA: jStar_mA_cm2 === null ? null : jStar_mA_cm2 * config.electrodeArea_cm2,
    sandTimeAtPresentCurrent_s: sand_s,
    criticalStrippingCurrent_mA_cm2: csc_mA_cm2,
    criticalCurrentDensity_mA_cm2: ccd_mA_cm2,
  };
}
