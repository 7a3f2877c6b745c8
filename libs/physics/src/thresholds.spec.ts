import { describe, expect, it } from 'vitest';
import { defaultThresholds, resolveThresholds } from './thresholds.js';

describe('thresholds', () => {
  it('start from PHYSICS.md §4', () => {
    expect(defaultThresholds.sandDepletionWarnFraction).toBe(0.8);
    expect(defaultThresholds.sandDepletionCriticalFraction).toBe(0.95);
    expect(defaultThresholds.sandDepletionWarnLeadTime_s).toBe(60);
    expect(defaultThresholds.voidStrippingWarnFractionOfCsc).toBe(0.8);
    expect(defaultThresholds.voidAsrGrowthWarnFraction).toBe(0.2);
    expect(defaultThresholds.voidLowPressureWarn_MPa).toBe(0.8);
    expect(defaultThresholds.voidContactFractionCritical).toBe(0.5);
    expect(defaultThresholds.softShortStepDrop_V).toBe(0.02);
    expect(defaultThresholds.softShortAsrCollapseFraction).toBe(0.5);
    expect(defaultThresholds.softShortRestHeat_K).toBe(0.5);
    expect(defaultThresholds.softShortChargeStall_s).toBe(300);
    expect(defaultThresholds.softShortCoulombicEfficiencyDrop).toBe(0.02);
    expect(defaultThresholds.hardShortSymmetricVoltage_V).toBe(0.001);
  });

  it('applies per-cell overrides and reports the ones it cannot use', () => {
    const { thresholds, problems } = resolveThresholds({
      sandDepletionWarnFraction: 0.7,
      dataGapWarn_s: 120,
      bogus: 1,
      thermalRiseWarn_K: 'hot',
      clearSamples: -1,
    });
    expect(thresholds.sandDepletionWarnFraction).toBe(0.7);
    expect(thresholds.dataGapWarn_s).toBe(120);
    expect(thresholds.thermalRiseWarn_K).toBe(defaultThresholds.thermalRiseWarn_K);
    expect(thresholds.clearSamples).toBe(defaultThresholds.clearSamples);
    expect(problems).toHaveLength(3);
    expect(defaultThresholds.sandDepletionWarnFraction).toBe(0.8);
  });
});
