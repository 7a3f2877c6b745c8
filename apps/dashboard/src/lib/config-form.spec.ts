import { defaultCellConfig, type CellConfig } from '#contracts';
import { describe, expect, it } from 'vitest';
import { configToForm, formToBody, presetPlaceholders } from './config-form.js';

const liquid: CellConfig = {
  rigId: 'rig-01',
  cellId: 'ch-03',
  cellType: 'symmetric',
  electrodeArea_cm2: 1.13,
  electrolyte: {
    kind: 'liquid',
    diffusivity_cm2_s: 3e-6,
    concentration_mol_L: 1,
    cationTransference: 0.38,
    gap_um: 25,
  },
  stack: { nominalPressure_MPa: 5 },
  thresholds: { depletionWarn: 0.8 },
};

describe('config form', () => {
  it('round-trips a configuration', () => {
    const result = formToBody(configToForm(liquid));
    expect(result).toEqual({
      ok: true,
      body: {
        cellType: 'symmetric',
        electrodeArea_cm2: 1.13,
        electrolyte: liquid.electrolyte,
        stack: { nominalPressure_MPa: 5 },
        thresholds: { depletionWarn: 0.8 },
      },
    });
  });

  it('round-trips a safety stop, and refuses an unknown alert kind on its field', () => {
    const safe: CellConfig = {
      ...liquid,
      safety: { stopOn: ['hard-short', 'soft-short'], minSeverity: 'warning' },
    };
    const form = configToForm(safe);
    expect(form.safetyStopOn).toBe('hard-short, soft-short');
    const result = formToBody(form);
    expect(result.ok && result.body.safety).toEqual(safe.safety);
    const bad = formToBody({ ...form, safetyStopOn: 'hard-short fire' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.safetyStopOn).toBeTruthy();
    const none = formToBody({ ...form, safetyStopOn: ' ' });
    expect(none.ok && none.body.safety).toBeUndefined();
  });

  it('round-trips the default (preset) configuration', () => {
    const result = formToBody(configToForm(defaultCellConfig('r', 'c')));
    expect(result.ok).toBe(true);
  });

  it('reports text that is not a number on its field', () => {
    const result = formToBody({ ...configToForm(liquid), gap_um: '25 µm' });
    expect(result).toEqual({ ok: false, errors: { gap_um: 'must be a number' } });
  });

  it('passes on the schema messages, keyed by field', () => {
    const form = { ...configToForm(liquid), electrodeArea_cm2: '-1', concentration_mol_L: '' };
    const result = formToBody(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.electrodeArea_cm2).toMatch(/>0|positive|too small/i);
    expect(result.errors.concentration_mol_L).toBe(
      'concentration_mol_L is required for a liquid electrolyte',
    );
  });

  it('needs a kind when there is no preset, and an area', () => {
    const result = formToBody({ ...configToForm(liquid), kind: '', electrodeArea_cm2: '' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.kind).toBe('kind is required when no preset is given');
    expect(result.errors.electrodeArea_cm2).toBe('required');
  });

  it('rejects a malformed threshold line', () => {
    const result = formToBody({ ...configToForm(liquid), thresholds: 'a = 1\nb is two' });
    expect(result).toEqual({ ok: false, errors: { thresholds: 'line 2: write name = number' } });
  });
});

describe('presetPlaceholders', () => {
  it('shows a preset in the form units', () => {
    const peo = presetPlaceholders('peo-litfsi');
    expect(peo.values).toMatchObject({
      kind: 'polymer',
      diffusivity_cm2_s: '7.7e-8',
      concentration_mol_L: '1.1',
      cationTransference: '0.16',
      gap_um: '50',
      referenceTemperature_C: '85',
    });
    expect(peo.source).toMatch(/Orädd/);
    expect(presetPlaceholders('lp30').values.diffusivity_cm2_s).toMatch(/^\d\.\d+e-6$/);
  });

  it('leaves out the salt transport of a solid and knows no unknown preset', () => {
    const llzo = presetPlaceholders('llzo');
    expect(llzo.values.diffusivity_cm2_s).toBeUndefined();
    expect(llzo.values.concentration_mol_L).toBeUndefined();
    expect(presetPlaceholders('')).toEqual({ values: {}, source: '' });
  });
});
