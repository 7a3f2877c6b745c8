import type { CellConfig, StateMessage } from '#contracts';
import {
  arrheniusValue,
  lookupCriticalCurrentDensity,
  criticalStrippingCurrent_A_m2,
  gasConstant_J_per_mol_K,
  type ElectrolytePreset,
  presets,
  limitingCurrentDensity_A_m2,
  sandTime_s,
  A_m2_to_mA_cm2,
  C_to_K,
  K_to_C,
  MPa_to_Pa,
  cm2_s_to_m2_s,
  cm2_to_m2,
  currentDensity_A_m2,
  mA_cm2_to_A_m2,
  mol_L_to_mol_m3,
  um_to_m,
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

/** Arrhenius scaling of a diffusivity known at T_ref: D(T) = D_ref * exp(-(Ea/R) * (1/T - 1/T_ref)). */
function scaleDiffusivity(
  d_ref_m2_s: number,
  ref_K: number,
  activation_J_mol: number,
  temperature_K: number,
): number {
  const prefactor = d_ref_m2_s * Math.exp(activation_J_mol / (gasConstant_J_per_mol_K * ref_K));
  return arrheniusValue({ prefactor, activationEnergy_J_mol: activation_J_mol }, temperature_K);
}

const finite = (x: number | undefined | null): number | null =>
  x !== undefined && x !== null && Number.isFinite(x) ? x : null;

/**
 * What GET config shows beside a configuration: J* for the configured gap and, for solid electrolytes,
 * the CSC at the present stack pressure and temperature (the latest live state, else nominal values),
 * computed with libs/physics. Never throws: a number that cannot be had is null with a note.
 */
export function deriveNumbers(config: CellConfig, latest: StateMessage | undefined): DerivedNumbers {
  const notes: string[] = [];
  const e = config.electrolyte;
  const preset: ElectrolytePreset | undefined = e.preset ? presets[e.preset] : undefined;
  const kind = e.kind ?? preset?.kind ?? null;

  const reference_K =
    e.referenceTemperature_C !== undefined
      ? C_to_K(e.referenceTemperature_C)
      : preset?.referenceTemperature_K;
  let temperature_K: number | undefined;
  if (latest?.t !== undefined) temperature_K = C_to_K(latest.t);
  else if (reference_K !== undefined) {
    temperature_K = reference_K;
    notes.push('no live temperature: numbers at the reference temperature');
  }
  const pressure_MPa = latest?.p ?? config.stack?.nominalPressure_MPa ?? null;

  let diffusivity_m2_s: number | null = null;
  if (e.diffusivity_cm2_s !== undefined) {
    diffusivity_m2_s = cm2_s_to_m2_s(e.diffusivity_cm2_s);
    if (e.activationEnergy_kJ_mol !== undefined && reference_K !== undefined && temperature_K !== undefined) {
      diffusivity_m2_s = scaleDiffusivity(
        diffusivity_m2_s,
        reference_K,
        e.activationEnergy_kJ_mol * 1e3,
        temperature_K,
      );
    }
  } else if (preset?.diffusivity_m2_s && temperature_K !== undefined) {
    diffusivity_m2_s = finite(preset.diffusivity_m2_s(temperature_K));
  }

  let jStar_mA_cm2: number | null = null;
  let sand_s: number | null = null;
  const area_m2 = cm2_to_m2(config.electrodeArea_cm2);
  // The same current density as the detectors' and the state's (#physics cell model), as a magnitude.
  const present_A_m2 = latest ? Math.abs(currentDensity_A_m2(latest.i, area_m2)) : null;
  if (kind === 'liquid' || kind === 'polymer') {
    const concentration_mol_m3 =
      e.concentration_mol_L !== undefined
        ? mol_L_to_mol_m3(e.concentration_mol_L)
        : preset?.concentration_mol_m3;
    const tPlus = e.cationTransference ?? preset?.cationTransference;
    const gap_m = e.gap_um !== undefined ? um_to_m(e.gap_um) : preset?.typicalGap_m;
    if (
      diffusivity_m2_s !== null &&
      concentration_mol_m3 !== undefined &&
      tPlus !== undefined &&
      gap_m !== undefined
    ) {
      const transport = { diffusivity_m2_s, concentration_mol_m3, anionTransference: 1 - tPlus };
      if (transport.anionTransference < 0 || transport.anionTransference > 1) {
        notes.push(`t+ = ${tPlus} is outside [0, 1]: no J* (the ideal-solution formulas do not apply)`);
      } else {
        jStar_mA_cm2 = finite(A_m2_to_mA_cm2(limitingCurrentDensity_A_m2({ ...transport, gap_m })));
        if (present_A_m2 !== null && present_A_m2 > 0) {
          sand_s = finite(sandTime_s({ ...transport, currentDensity_A_m2: present_A_m2 }));
        }
      }
    } else notes.push('transport parameters incomplete: no J*');
  }

  let csc_mA_cm2: number | null = null;
  let ccd_mA_cm2: number | null = null;
  if (kind === 'solid') {
    const table =
      e.criticalStrippingCurrent_mA_cm2 !== undefined
        ? [
            {
              pressure_Pa: MPa_to_Pa(config.stack?.nominalPressure_MPa ?? 0),
              csc_A_m2: mA_cm2_to_A_m2(e.criticalStrippingCurrent_mA_cm2),
            },
          ]
        : preset?.cscTable;
    const tableTemperature_K = preset?.cscTemperature_K ?? reference_K ?? C_to_K(25);
    if (table && pressure_MPa !== null) {
      csc_mA_cm2 = finite(
        A_m2_to_mA_cm2(
          criticalStrippingCurrent_A_m2(
            table,
            MPa_to_Pa(pressure_MPa),
            temperature_K ?? tableTemperature_K,
            tableTemperature_K,
          ),
        ),
      );
    } else notes.push(table ? 'no stack pressure known: no CSC' : 'no CSC given and no preset table: no CSC');
    if (preset?.ccdTable && temperature_K !== undefined) {
      const ccd = lookupCriticalCurrentDensity(preset.ccdTable, temperature_K);
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
    electrolyteKind: kind,
    temperature_C: temperature_K === undefined ? null : K_to_C(temperature_K),
    pressure_MPa,
    diffusivity_cm2_s: diffusivity_m2_s === null ? null : diffusivity_m2_s * 1e4,
    limitingCurrentDensity_mA_cm2: jStar_mA_cm2,
    limitingCurrent_mA: jStar_mA_cm2 === null ? null : jStar_mA_cm2 * config.electrodeArea_cm2,
    presentCurrentDensity_mA_cm2: present_A_m2 === null ? null : A_m2_to_mA_cm2(present_A_m2),
    sandTimeAtPresentCurrent_s: sand_s,
    criticalStrippingCurrent_mA_cm2: csc_mA_cm2,
    criticalCurrentDensity_mA_cm2: ccd_mA_cm2,
    notes,
  };
}
