import type { CellConfig, StateMessage } from '#contracts';
import { z } from 'zod';
import { limitingCurrentDensity_A_m2 } from '../../../../libs/physics/src/sand-time.js';
import {
  A_m2_to_mA_cm2,
  cm2_s_to_m2_s,
  mol_L_to_mol_m3,
  um_to_m,
} from '../../../../libs/physics/src/units.js';

/** Numbers derived from a cell's configuration (lab units), shown beside it by GET config. */
export const DerivedNumbersSchema = z.object({
  /** Critical (limiting) current density J* for the configured gap; null for solid electrolytes. */
  limitingCurrentDensity_mA_cm2: z.number().nullable(),
  /** J* times the electrode area. */
  limitingCurrent_mA: z.number().nullable(),
  /** Critical stripping current density at the present (or nominal) pressure and temperature. */
  criticalStrippingCurrent_mA_cm2: z.number().nullable(),
  /** The conditions the numbers are for: the latest live state, else the configured nominal ones. */
  pressure_MPa: z.number().nullable(),
  temperature_C: z.number().nullable(),
  /** Why a number is missing or how it was obtained. */
  notes: z.array(z.string()),
});
export type DerivedNumbers = z.infer<typeof DerivedNumbersSchema>;

export function deriveNumbers(config: CellConfig, latest: StateMessage | undefined): DerivedNumbers {
  const notes: string[] = [];
  const e = config.electrolyte;
  let jStar_A_m2: number | null = null;
  if (
    e.diffusivity_cm2_s !== undefined &&
    e.concentration_mol_L !== undefined &&
    e.cationTransference !== undefined &&
    e.gap_um !== undefined
  ) {
    jStar_A_m2 = limitingCurrentDensity_A_m2({
      diffusivity_m2_s: cm2_s_to_m2_s(e.diffusivity_cm2_s),
      concentration_mol_m3: mol_L_to_mol_m3(e.concentration_mol_L),
      anionTransference: 1 - e.cationTransference,
      gap_m: um_to_m(e.gap_um),
    });
  } else notes.push('transport parameters incomplete');
  const jStar_mA_cm2 = jStar_A_m2 === null ? null : A_m2_to_mA_cm2(jStar_A_m2);
  return {
    limitingCurrentDensity_mA_cm2: jStar_mA_cm2,
    limitingCurrent_mA: jStar_mA_cm2 === null ? null : jStar_mA_cm2 * config.electrodeArea_cm2,
    criticalStrippingCurrent_mA_cm2: null,
    pressure_MPa: latest?.p ?? config.stack?.nominalPressure_MPa ?? null,
    temperature_C: latest?.t ?? null,
    notes,
  };
}
