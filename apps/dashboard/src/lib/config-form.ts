import { CellConfigBodySchema, type CellConfig, type CellConfigBody } from '#contracts';
// libs/physics is pure (no I/O), so the browser can share its presets.
import { isPresetName, presets } from '#physics';

/** The configuration editor's fields, as typed text; '' means "not set". */
export interface ConfigForm {
  cellType: string;
  electrodeArea_cm2: string;
  preset: string;
  kind: string;
  diffusivity_cm2_s: string;
  concentration_mol_L: string;
  cationTransference: string;
  gap_um: string;
  referenceTemperature_C: string;
  activationEnergy_kJ_mol: string;
  criticalStrippingCurrent_mA_cm2: string;
  nominalPressure_MPa: string;
  /** One `name = number` per line. */
  thresholds: string;
  /** Safety stop: alert kinds separated by commas or spaces ('' = no safety stop). */
  safetyStopOn: string;
  /** Safety stop: `warning` or `critical`. */
  safetyMinSeverity: string;
}

export type ConfigField = keyof ConfigForm;
/** Messages per field, and `form` for those that belong to no single field. */
export type ConfigErrors = Partial<Record<ConfigField | 'form', string>>;

const ELECTROLYTE_NUMBERS = [
  'diffusivity_cm2_s',
  'concentration_mol_L',
  'cationTransference',
  'gap_um',
  'referenceTemperature_C',
  'activationEnergy_kJ_mol',
  'criticalStrippingCurrent_mA_cm2',
] as const;

const text = (value: number | undefined): string => (value === undefined ? '' : String(value));

export function configToForm(config: CellConfig): ConfigForm {
  const e = config.electrolyte;
  return {
    cellType: config.cellType,
    electrodeArea_cm2: text(config.electrodeArea_cm2),
    preset: e.preset ?? '',
    kind: e.kind ?? '',
    diffusivity_cm2_s: text(e.diffusivity_cm2_s),
    concentration_mol_L: text(e.concentration_mol_L),
    cationTransference: text(e.cationTransference),
    gap_um: text(e.gap_um),
    referenceTemperature_C: text(e.referenceTemperature_C),
    activationEnergy_kJ_mol: text(e.activationEnergy_kJ_mol),
    criticalStrippingCurrent_mA_cm2: text(e.criticalStrippingCurrent_mA_cm2),
    nominalPressure_MPa: text(config.stack?.nominalPressure_MPa),
    thresholds: Object.entries(config.thresholds)
      .map(([name, value]) => `${name} = ${value}`)
      .join('\n'),
    safetyStopOn: config.safety?.stopOn.join(', ') ?? '',
    safetyMinSeverity: config.safety?.minSeverity ?? 'critical',
  };
}

function parseNumber(value: string): number | undefined | 'invalid' {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : 'invalid';
}

/**
 * Turns the form into the `PUT …/config` body, checked by the contracts' zod schema. Errors come back
 * keyed by the field they belong to, in the schema's own words.
 */
export function formToBody(
  form: ConfigForm,
): { ok: true; body: CellConfigBody } | { ok: false; errors: ConfigErrors } {
  const errors: ConfigErrors = {};
  const number = (field: ConfigField): number | undefined => {
    const parsed = parseNumber(form[field]);
    if (parsed === 'invalid') {
      errors[field] = 'must be a number';
      return undefined;
    }
    return parsed;
  };

  const electrolyte: Record<string, unknown> = {};
  if (form.preset) electrolyte.preset = form.preset;
  if (form.kind) electrolyte.kind = form.kind;
  for (const field of ELECTROLYTE_NUMBERS) {
    const value = number(field);
    if (value !== undefined) electrolyte[field] = value;
  }
  const thresholds: Record<string, number> = {};
  form.thresholds.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const match = /^\s*([A-Za-z0-9_.-]+)\s*[=:]\s*(\S+)\s*$/.exec(line);
    const value = match ? Number(match[2]) : Number.NaN;
    if (!match || !Number.isFinite(value)) {
      errors.thresholds ??= `line ${index + 1}: write name = number`;
      return;
    }
    thresholds[match[1]!] = value;
  });
  const area = number('electrodeArea_cm2');
  const pressure = number('nominalPressure_MPa');
  const stopOn = form.safetyStopOn.split(/[\s,]+/).filter(Boolean);
  const raw = {
    cellType: form.cellType || undefined,
    electrodeArea_cm2: area,
    electrolyte,
    ...(pressure === undefined ? {} : { stack: { nominalPressure_MPa: pressure } }),
    thresholds,
    ...(stopOn.length > 0 && { safety: { stopOn, minSeverity: form.safetyMinSeverity || 'critical' } }),
  };
  if (area === undefined && !errors.electrodeArea_cm2) errors.electrodeArea_cm2 = 'required';

  const parsed = CellConfigBodySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const last = [...issue.path].reverse().find((p) => typeof p === 'string');
      const field: ConfigField | 'form' =
        issue.path[0] === 'safety'
          ? last === 'minSeverity'
            ? 'safetyMinSeverity'
            : 'safetyStopOn'
          : last === 'nominalPressure_MPa' || (typeof last === 'string' && last in form)
            ? (last as ConfigField)
            : 'form';
      errors[field] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, body: parsed.data };
}

/** A preset's values in the form's lab units, shown as placeholders (what an empty field will mean). */
export function presetPlaceholders(name: string): {
  values: Partial<Record<ConfigField, string>>;
  source: string;
} {
  if (!isPresetName(name)) return { values: {}, source: '' };
  const preset = presets[name];
  const T_K = preset.referenceTemperature_K;
  const show = (x: number): string => {
    const rounded = Number(x.toPrecision(3));
    return Math.abs(rounded) < 1e-3 && rounded !== 0 ? rounded.toExponential() : String(rounded);
  };
  const values: Partial<Record<ConfigField, string>> = {
    kind: preset.kind,
    cationTransference: show(preset.cationTransference),
    gap_um: show(preset.typicalGap_m * 1e6),
    referenceTemperature_C: show(T_K - 273.15),
  };
  // 1 m²/s = 10⁴ cm²/s; 1 mol/m³ = 10⁻³ mol/L. Solids carry no salt to deplete.
  if (preset.diffusivity_m2_s) values.diffusivity_cm2_s = show(preset.diffusivity_m2_s(T_K) * 1e4);
  if (Number.isFinite(preset.concentration_mol_m3))
    values.concentration_mol_L = show(preset.concentration_mol_m3 / 1000);
  return { values, source: preset.source };
}
