import { describe, expect, it } from 'vitest';
import { CellConfigSchema, defaultCellConfig } from './cell-config.js';

describe('CellConfigSchema', () => {
  it('accepts the DESIGN.md example in lab units', () => {
    const config = CellConfigSchema.parse({
      rigId: 'rig-01',
      cellId: 'ch-03',
      cellType: 'symmetric',
      electrodeArea_cm2: 1.13,
      electrolyte: {
        kind: 'liquid',
        diffusivity_cm2_s: 3.0e-6,
        concentration_mol_L: 1.0,
        cationTransference: 0.38,
        gap_um: 25,
      },
      stack: { nominalPressure_MPa: 5 },
      thresholds: {},
    });
    expect(config.electrolyte.gap_um).toBe(25);
  });

  it('accepts a preset, normalising the peo-litfsi-60c alias', () => {
    const config = CellConfigSchema.parse({
      rigId: 'r',
      cellId: 'c',
      electrodeArea_cm2: 1,
      electrolyte: { preset: 'peo-litfsi-60c' },
    });
    expect(config.electrolyte.preset).toBe('peo-litfsi');
    expect(config.cellType).toBe('symmetric');
  });

  it('names the missing transport parameters of a liquid electrolyte', () => {
    const result = CellConfigSchema.safeParse({
      rigId: 'r',
      cellId: 'c',
      electrodeArea_cm2: 1,
      electrolyte: { kind: 'liquid', diffusivity_cm2_s: 3e-6 },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'electrolyte.concentration_mol_L',
        'electrolyte.cationTransference',
        'electrolyte.gap_um',
      ]),
    );
  });

  it('gives unknown cells a valid default', () => {
    expect(CellConfigSchema.parse(defaultCellConfig('rig-9', 'c1'))).toMatchObject({ rigId: 'rig-9' });
  });
});
