import { describe, expect, it } from 'vitest';
import { camelToWords, evidenceEntryToWords, evidenceToWords } from './evidence.js';
import { formatAreaResistance, formatCurrentDensity } from './format.js';

describe('evidenceToWords', () => {
  it('phrases the design example with numbers and units, known fields in a fixed order', () => {
    expect(evidenceToWords({ jOverJstar: 1.8, timeToDepletion_s: 240, depletionFraction: 0.78 })).toEqual([
      'Li⁺ at the plating electrode is 78 % depleted',
      'full depletion expected in 4 min',
      'current density is 1.80× the critical current J*',
    ]);
  });

  it('converts SI evidence to lab units', () => {
    expect(evidenceEntryToWords('currentDensity_A_m2', 4)).toBe('current density 0.400 mA/cm²');
    expect(evidenceEntryToWords('areaSpecificResistance_ohm_m2', 0.003)).toBe(
      'area-specific resistance 30.0 Ω·cm²',
    );
    expect(evidenceEntryToWords('strippingChargeAboveCsc_C_m2', 36_000)).toBe(
      '1.000 mAh/cm² stripped above the CSC',
    );
    expect(evidenceEntryToWords('shortResistance_ohm', 12)).toBe('short resistance about 12.0 Ω');
    expect(evidenceEntryToWords('limitingCurrentDensity_mA_cm2', 0.45)).toBe(
      'critical current density J* 0.450 mA/cm²',
    );
    expect(evidenceEntryToWords('criticalStrippingCurrent_mA_cm2', 0.2)).toBe(
      'critical stripping current (CSC) 0.200 mA/cm²',
    );
  });

  it('reads the unit of unknown fields from their name', () => {
    expect(evidenceEntryToWords('voltageStep_mV', 25)).toBe('voltage step 25.0 mV');
    expect(evidenceEntryToWords('stackPressure_MPa', 0.62)).toBe('stack pressure 0.62 MPa');
    expect(evidenceEntryToWords('temperatureRise_K', 0.5)).toBe('temperature rise 0.50 K');
    expect(evidenceEntryToWords('gap_s', 600)).toBe('gap 10 min');
    expect(evidenceEntryToWords('diffusivity_cm2_s', 5.1440179e-8)).toBe('diffusivity 5.14e-8 cm²/s');
    expect(evidenceEntryToWords('gap_um', 25)).toBe('gap 25 µm');
    expect(evidenceEntryToWords('noiseFraction', 0.12)).toBe('noise fraction 12 %');
    expect(evidenceEntryToWords('resistanceOverMax', 0.4)).toBe('resistance over max 0.400×');
    expect(evidenceEntryToWords('oddCount', 3)).toBe('odd count 3');
    expect(evidenceEntryToWords('flux_mol_m2_s', 0.00012)).toBe('flux 0.00012 mol/m2/s');
  });

  it('shows strings and missing values plainly', () => {
    expect(evidenceEntryToWords('modelVersion', 'cnn-3')).toBe('model version: cnn-3');
    expect(evidenceEntryToWords('shortResistance_ohm', null)).toBe('short resistance: not available');
    expect(evidenceEntryToWords('limitingCurrentDensity_mA_cm2', null)).toBe(
      'critical current density J*: not available',
    );
    expect(evidenceEntryToWords('timeToDepletion_s', Infinity)).toBe('no depletion expected at this current');
  });

  it('splits camel case including acronyms', () => {
    expect(camelToWords('jOverJstar')).toBe('j over jstar');
    expect(camelToWords('strippingCurrentOverCSCRatio')).toBe('stripping current over csc ratio');
  });
});

describe('alert evidence and the physics panel show one number the same way', () => {
  // The physics panel formats the state's estimates (Ω·m², A/m²); detectors' evidence carries the same
  // quantity in Ω·m² or Ω·cm², A/m² or mA/cm². The same value must read the same in every unit.
  it('ASR 32 Ω·cm² from Ω·m² estimates and from Ω·cm² or Ω·m² evidence', () => {
    const panel = formatAreaResistance(32e-4);
    expect(panel).toBe('32.0 Ω·cm²');
    expect(evidenceEntryToWords('asr_ohm_cm2', 32)).toContain(panel);
    expect(evidenceEntryToWords('asr_ohm_m2', 32e-4)).toContain(panel);
    expect(evidenceEntryToWords('areaSpecificResistance_ohm_m2', 32e-4)).toContain(panel);
  });

  it('current density 1.5 mA/cm² from A/m² estimates and from mA/cm² evidence', () => {
    const panel = formatCurrentDensity(15);
    expect(panel).toBe('1.50 mA/cm²');
    expect(evidenceEntryToWords('currentDensity_mA_cm2', 1.5)).toContain(panel);
    expect(evidenceEntryToWords('currentDensity_A_m2', 15)).toContain(panel);
  });
});
