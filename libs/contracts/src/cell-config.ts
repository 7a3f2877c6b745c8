import { z } from 'zod';
import { AlertKindSchema, SeveritySchema } from './alert.js';
import { ID_PATTERN } from './topics.js';

/** Electrolyte presets known to libs/physics (`peo-litfsi-60c` is accepted as an alias of `peo-litfsi`). */
export const ELECTROLYTE_PRESETS = ['lp30', 'peo-litfsi', 'li6ps5cl', 'llzo'] as const;
export const ElectrolytePresetSchema = z
  .enum([...ELECTROLYTE_PRESETS, 'peo-litfsi-60c'])
  .transform((name) => (name === 'peo-litfsi-60c' ? 'peo-litfsi' : name));
export type ElectrolytePreset = (typeof ELECTROLYTE_PRESETS)[number];

export const ElectrolyteKindSchema = z.enum(['liquid', 'polymer', 'solid']);
export type ElectrolyteKind = z.infer<typeof ElectrolyteKindSchema>;

const positive = z.number().positive();

/**
 * Electrolyte in lab units. Either a preset (whose values any explicit field overrides) or explicit
 * parameters; liquid and polymer electrolytes need the transport parameters for Sand's time.
 */
export const ElectrolyteSchema = z
  .object({
    preset: ElectrolytePresetSchema.optional(),
    kind: ElectrolyteKindSchema.optional(),
    /** Ambipolar salt diffusivity at the operating (or reference) temperature. */
    diffusivity_cm2_s: positive.max(1e-2).optional(),
    referenceTemperature_C: z.number().min(-100).max(500).optional(),
    activationEnergy_kJ_mol: z.number().min(0).max(500).optional(),
    concentration_mol_L: positive.max(20).optional(),
    /** t+; the anion transference number is 1 - t+. */
    cationTransference: z.number().min(-5).max(1).optional(),
    /** Electrode separation L. */
    gap_um: positive.max(1e5).optional(),
    /** Critical stripping current density at the nominal stack pressure (solid electrolytes). */
    criticalStrippingCurrent_mA_cm2: positive.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.preset) return;
    if (!e.kind) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'kind is required when no preset is given' });
      return;
    }
    if (e.kind === 'solid') return;
    for (const key of ['diffusivity_cm2_s', 'concentration_mol_L', 'cationTransference', 'gap_um'] as const) {
      if (e[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is required for a ${e.kind} electrolyte`,
        });
      }
    }
  });
export type Electrolyte = z.infer<typeof ElectrolyteSchema>;

export const CellTypeSchema = z.enum(['symmetric', 'full', 'half']);
export type CellType = z.infer<typeof CellTypeSchema>;

/**
 * Safety stop (DESIGN.md "Cell configuration" `safety`): when an alert of one of these kinds is raised at
 * `minSeverity` or above, Sandglass publishes `{"action":"stop",…}` on the cell's `…/command` topic.
 */
export const SafetyConfigSchema = z
  .object({
    stopOn: z
      .array(AlertKindSchema)
      .min(1, 'stopOn needs at least one alert kind')
      .refine((kinds) => new Set(kinds).size === kinds.length, 'stopOn lists a kind twice'),
    minSeverity: SeveritySchema.default('critical'),
  })
  .strict();
export type SafetyConfig = z.infer<typeof SafetyConfigSchema>;

const id = z.string().regex(ID_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ . - (not . or ..)');

/** A cell's physical configuration (DESIGN.md "Cell configuration"), lab units, names carry their unit. */
export const CellConfigSchema = z.object({
  rigId: id,
  cellId: id,
  cellType: CellTypeSchema.default('symmetric'),
  electrodeArea_cm2: positive.max(1e4),
  electrolyte: ElectrolyteSchema,
  stack: z.object({ nominalPressure_MPa: z.number().min(0).max(1000) }).optional(),
  /** Per-cell overrides of detector defaults, by threshold name. */
  thresholds: z.record(z.string(), z.number()).default({}),
  /** Optional safety stop of the channel (absent = Sandglass never commands the rig). */
  safety: SafetyConfigSchema.optional(),
});
export type CellConfig = z.infer<typeof CellConfigSchema>;
export type CellConfigInput = z.input<typeof CellConfigSchema>;

/** Body of `PUT /api/cells/{rigId}/{cellId}/config`: the ids come from the path. */
export const CellConfigBodySchema = CellConfigSchema.omit({ rigId: true, cellId: true });
export type CellConfigBody = z.infer<typeof CellConfigBodySchema>;

/** What an unknown cell is monitored with until someone configures it (a warning is logged). */
export function defaultCellConfig(rigId: string, cellId: string): CellConfig {
  return {
    rigId,
    cellId,
    cellType: 'symmetric',
    electrodeArea_cm2: 1,
    electrolyte: { preset: 'lp30', gap_um: 25 },
    thresholds: {},
  };
}
