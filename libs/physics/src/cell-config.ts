import type { CcdTablePoint } from './arrhenius.js';
import { gasConstant_J_per_mol_K } from './constants.js';
import type { CscTablePoint } from './creep.js';
import { isPresetName, presets, type ElectrolyteKind, type ElectrolytePreset } from './presets.js';
import type { CellType } from './soft-short-detector.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import {
  C_to_K,
  cm2_s_to_m2_s,
  cm2_to_m2,
  mA_cm2_to_A_m2,
  MPa_to_Pa,
  mol_L_to_mol_m3,
  um_to_m,
} from './units.js';

/**
 * A cell's configuration in lab units, shaped like DESIGN.md "Cell configuration" (the zod schema in
 * libs/contracts describes the same object). The electrolyte is a preset, explicit values, or a
 * preset with some values overridden.
 */
export interface CellConfig {
  rigId?: string;
  cellId?: string;
  /** symmetric (Li|Li), full, or half; symmetric when absent. */
  cellType?: CellType;
  electrodeArea_cm2: number;
  electrolyte: ElectrolyteConfig;
  stack?: { nominalPressure_MPa?: number };
  /** Per-cell overrides of the detector thresholds (see `Thresholds` for the names). */
  thresholds?: Readonly<Record<string, unknown>>;
}

export interface ElectrolyteConfig {
  /** lp30 | peo-litfsi | li6ps5cl | llzo */
  preset?: string;
  kind?: ElectrolyteKind;
  /** Ambipolar salt diffusivity at the operating (or reference) temperature, cm²/s. */
  diffusivity_cm2_s?: number;
  concentration_mol_L?: number;
  /** t+; the anion transference number is 1 - t+. */
  cationTransference?: number;
  /** Electrode separation L, µm. */
  gap_um?: number;
  /** With activationEnergy_kJ_mol: D scales as exp(-(Ea/R)(1/T - 1/T_ref)) with the measured T. */
  referenceTemperature_C?: number;
  activationEnergy_kJ_mol?: number;
  /**
   * Solid electrolytes: critical stripping current measured at the nominal stack pressure (and at
   * referenceTemperature_C, else 25 °C); replaces the preset's CSC table.
   */
  criticalStrippingCurrent_mA_cm2?: number;
}

/** The configuration in SI, ready for the trackers. */
export interface ResolvedCell {
  cellType: CellType;
  area_m2: number;
  kind: ElectrolyteKind;
  /** D at a temperature (K; NaN = not measured → the reference value), m²/s; null without salt depletion. */
  diffusivityAt_m2_s: ((temperature_K: number) => number) | null;
  concentration_mol_m3: number;
  anionTransference: number;
  gap_m: number;
  nominalPressure_Pa: number;
  cscTable: readonly CscTablePoint[];
  cscTemperature_K: number;
  ccdTable: readonly CcdTablePoint[];
  thresholds: Thresholds;
  /** Activation energy given in the configuration, J/mol (NaN: none given). */
  activationEnergy_J_mol: number;
  /** Temperature the electrolyte's parameters refer to (assumed when samples carry none), K. */
  referenceTemperature_K: number;
  /** Where the parameters came from (preset source or "configured"). */
  source: string;
}

export type ResolveResult =
  | { ok: true; cell: ResolvedCell; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

/**
 * Converts a cell configuration (lab units) into SI parameters, checking it. Problems make it
 * unusable; warnings (e.g. unknown threshold names) are worth logging but do not stop monitoring.
 */
export function resolveCellConfig(config: CellConfig): ResolveResult {
  const problems: string[] = [];
  const { thresholds, problems: thresholdWarnings } = resolveThresholds(config.thresholds);
  const warnings = [...thresholdWarnings];
  const e = config.electrolyte ?? {};
  // libs/contracts maps this DESIGN.md name to peo-litfsi as well.
  const presetName = e.preset === 'peo-litfsi-60c' ? 'peo-litfsi' : e.preset;
  const preset: ElectrolytePreset | null | undefined =
    presetName === undefined ? undefined : isPresetName(presetName) ? presets[presetName] : null;
  if (preset === null) {
    problems.push(`unknown electrolyte preset "${e.preset}" (known: ${Object.keys(presets).join(', ')})`);
  }
  if (!(config.electrodeArea_cm2 > 0))
    problems.push(`electrodeArea_cm2 must be > 0, got ${config.electrodeArea_cm2}`);
  const kind = e.kind ?? preset?.kind;
  if (!kind) problems.push('electrolyte needs a preset or a kind (liquid | polymer | solid)');
  const cationTransference =
    e.cationTransference ?? preset?.cationTransference ?? (kind === 'solid' ? 1 : NaN);
  if (!(cationTransference <= 1) || !Number.isFinite(cationTransference)) {
    problems.push(`cationTransference must be a number <= 1, got ${cationTransference}`);
  } else if (cationTransference < 0) {
    warnings.push(
      `negative t+ (${cationTransference}, as Pesko et al. 2017 report for PEO): depletion runs faster`,
    );
  }
  const anionTransference = 1 - cationTransference;
  const gap_m = e.gap_um !== undefined ? um_to_m(e.gap_um) : (preset?.typicalGap_m ?? NaN);
  const depletes = kind !== 'solid' && anionTransference > 0;
  let concentration_mol_m3 = NaN;
  let diffusivityAt_m2_s: ((temperature_K: number) => number) | null = null;
  if (depletes) {
    concentration_mol_m3 =
      e.concentration_mol_L !== undefined
        ? mol_L_to_mol_m3(e.concentration_mol_L)
        : (preset?.concentration_mol_m3 ?? NaN);
    if (!(concentration_mol_m3 > 0))
      problems.push('concentration_mol_L must be > 0 for a liquid or polymer electrolyte');
    if (!(gap_m > 0)) problems.push('gap_um must be > 0 for a liquid or polymer electrolyte');
    diffusivityAt_m2_s = resolveDiffusivity(e, preset, problems, warnings);
  }
  const nominalPressure_MPa = config.stack?.nominalPressure_MPa;
  if (nominalPressure_MPa !== undefined && !(nominalPressure_MPa >= 0)) {
    problems.push(`stack.nominalPressure_MPa must be >= 0, got ${nominalPressure_MPa}`);
  }
  const { cscTable, cscTemperature_K } = resolveCsc(e, preset, nominalPressure_MPa, problems);
  if (kind === 'solid' && cscTable.length === 0) {
    warnings.push(
      'no critical stripping current known for this solid electrolyte: give criticalStrippingCurrent_mA_cm2',
    );
  }
  const cellType = config.cellType ?? 'symmetric';
  if (problems.length > 0 || !kind) return { ok: false, problems, warnings };
  return {
    ok: true,
    warnings,
    cell: {
      cellType,
      area_m2: cm2_to_m2(config.electrodeArea_cm2),
      kind,
      diffusivityAt_m2_s: depletes ? diffusivityAt_m2_s : null,
      concentration_mol_m3,
      anionTransference,
      gap_m,
      nominalPressure_Pa: nominalPressure_MPa === undefined ? NaN : MPa_to_Pa(nominalPressure_MPa),
      cscTable,
      cscTemperature_K,
      ccdTable: preset?.ccdTable ?? [],
      thresholds,
      activationEnergy_J_mol: e.activationEnergy_kJ_mol !== undefined ? e.activationEnergy_kJ_mol * 1e3 : NaN,
      referenceTemperature_K:
        e.referenceTemperature_C !== undefined
          ? C_to_K(e.referenceTemperature_C)
          : (preset?.referenceTemperature_K ?? 298.15),
      source: preset ? preset.source : 'configured',
    },
  };
}

/**
 * Salt diffusivity D(T) of a liquid or polymer electrolyte: a configured D, scaled by Arrhenius when its
 * reference temperature and activation energy are both given (else held constant), or the preset's D(T).
 * Null (with a problem) when neither is known.
 */
function resolveDiffusivity(
  e: ElectrolyteConfig,
  preset: ElectrolytePreset | null | undefined,
  problems: string[],
  warnings: string[],
): ((temperature_K: number) => number) | null {
  if (e.diffusivity_cm2_s !== undefined) {
    const reference_m2_s = cm2_s_to_m2_s(e.diffusivity_cm2_s);
    if (!(reference_m2_s > 0)) problems.push(`diffusivity_cm2_s must be > 0, got ${e.diffusivity_cm2_s}`);
    if (e.referenceTemperature_C !== undefined && e.activationEnergy_kJ_mol !== undefined) {
      const reference_K = C_to_K(e.referenceTemperature_C);
      const ea_J_mol = e.activationEnergy_kJ_mol * 1e3;
      // Arrhenius scaling of D with the measured temperature.
      return (temperature_K) =>
        Number.isFinite(temperature_K)
          ? reference_m2_s *
            Math.exp(-(ea_J_mol / gasConstant_J_per_mol_K) * (1 / temperature_K - 1 / reference_K))
          : reference_m2_s;
    }
    if (e.referenceTemperature_C !== undefined || e.activationEnergy_kJ_mol !== undefined) {
      warnings.push('referenceTemperature_C and activationEnergy_kJ_mol go together; D is held constant');
    }
    return () => reference_m2_s;
  }
  if (preset?.diffusivity_m2_s) {
    const presetD = preset.diffusivity_m2_s;
    const reference_K = preset.referenceTemperature_K;
    return (temperature_K) => presetD(Number.isFinite(temperature_K) ? temperature_K : reference_K);
  }
  problems.push('diffusivity_cm2_s is needed for a liquid or polymer electrolyte without a preset');
  return null;
}

/**
 * Critical stripping current vs stack pressure and the temperature it was measured at: the preset's
 * table, or one configured point held constant in pressure (criticalStrippingCurrent_A_m2 does not
 * extrapolate) at the configured reference temperature (else 25 °C).
 */
function resolveCsc(
  e: ElectrolyteConfig,
  preset: ElectrolytePreset | null | undefined,
  nominalPressure_MPa: number | undefined,
  problems: string[],
): { cscTable: readonly CscTablePoint[]; cscTemperature_K: number } {
  if (e.criticalStrippingCurrent_mA_cm2 === undefined) {
    return { cscTable: preset?.cscTable ?? [], cscTemperature_K: preset?.cscTemperature_K ?? 298.15 };
  }
  if (!(e.criticalStrippingCurrent_mA_cm2 > 0)) problems.push('criticalStrippingCurrent_mA_cm2 must be > 0');
  return {
    cscTable: [
      {
        pressure_Pa: MPa_to_Pa(nominalPressure_MPa ?? 0),
        csc_A_m2: mA_cm2_to_A_m2(e.criticalStrippingCurrent_mA_cm2),
      },
    ],
    cscTemperature_K: C_to_K(e.referenceTemperature_C ?? 25),
  };
}
