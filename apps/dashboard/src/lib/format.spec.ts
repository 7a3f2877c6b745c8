import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatArealCharge,
  formatAreaResistance,
  formatCurrent,
  formatCurrentDensity,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatPressure,
  formatRatio,
  formatSi,
  formatTemperature,
  formatTicks,
  formatVoltage,
  MISSING,
} from './format.js';

describe('formatSi', () => {
  it('picks the prefix that keeps the mantissa between 1 and 1000', () => {
    expect(formatSi(0.0123, 'V')).toBe('12.3 mV');
    expect(formatSi(0.00113, 'A')).toBe('1.13 mA');
    expect(formatSi(3.4123, 'V')).toBe('3.41 V');
    expect(formatSi(2500, 'Ω')).toBe('2.50 kΩ');
    expect(formatSi(4.2e-7, 'A')).toBe('420 nA');
    expect(formatSi(-0.0005, 'A')).toBe('-500 µA');
  });

  it('rounds up into the next prefix instead of printing 1000 m', () => {
    expect(formatSi(0.99999, 'V')).toBe('1.00 V');
  });

  it('shows zero, infinity and missing values', () => {
    expect(formatSi(0, 'V')).toBe('0 V');
    expect(formatSi(Infinity, 'Ω')).toBe('∞ Ω');
    expect(formatSi(null, 'V')).toBe(MISSING);
    expect(formatSi(undefined, 'V')).toBe(MISSING);
    expect(formatSi(Number.NaN, 'V')).toBe(MISSING);
  });
});

describe('lab quantities', () => {
  it('formats V, I, T and P with their units', () => {
    expect(formatVoltage(0.01234)).toBe('12.34 mV');
    expect(formatCurrent(-0.00113)).toBe('-1.13 mA');
    expect(formatTemperature(25.14)).toBe('25.1 °C');
    expect(formatPressure(5)).toBe('5.00 MPa');
    expect(formatTemperature(undefined)).toBe(MISSING);
  });

  it('converts current density and area resistance to lab units', () => {
    expect(formatCurrentDensity(4)).toBe('0.400 mA/cm²');
    expect(formatAreaResistance(0.003)).toBe('30.0 Ω·cm²');
    expect(formatArealCharge(36_000)).toBe('1.000 mAh/cm²');
    expect(formatArealCharge(null)).toBe(MISSING);
  });

  it('formats fractions and ratios', () => {
    expect(formatPercent(0.781)).toBe('78 %');
    expect(formatPercent(0.781, 1)).toBe('78.1 %');
    expect(formatRatio(1.8)).toBe('1.80×');
    expect(formatRatio(null)).toBe(MISSING);
  });
});

describe('formatDuration', () => {
  it('reads at a glance', () => {
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(35)).toBe('35 s');
    expect(formatDuration(240)).toBe('4 min');
    expect(formatDuration(5400)).toBe('1 h 30 min');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(3 * 86400)).toBe('3 d');
  });

  it('says now for zero or past and never for infinity', () => {
    expect(formatDuration(0)).toBe('now');
    expect(formatDuration(-3)).toBe('now');
    expect(formatDuration(Infinity)).toBe('never');
    expect(formatDuration(null)).toBe(MISSING);
  });
});

describe('times', () => {
  it('formats an instant in a given time zone', () => {
    expect(formatDateTime(Date.UTC(2025, 10, 25, 8, 4, 5), 'UTC')).toBe('2025-11-25 08:04:05');
  });

  it('formats how long ago', () => {
    expect(formatAgo(1000, 1500)).toBe('just now');
    expect(formatAgo(0, 12_000)).toBe('12 s ago');
    expect(formatAgo(null, 0)).toBe(MISSING);
  });
});

describe('formatTicks', () => {
  it('uses one prefix per axis and enough decimals for the tick step', () => {
    expect(formatTicks([0.0145, 0.015, 0.0155], 0.0005, 'V', true)).toEqual([
      '14.5 mV',
      '15.0 mV',
      '15.5 mV',
    ]);
    expect(formatTicks([25.85, 25.9, 25.95], 0.05, '°C', false)).toEqual([
      '25.85 °C',
      '25.90 °C',
      '25.95 °C',
    ]);
    expect(formatTicks([0, 0.001, 0.002], 0.001, 'A', true)).toEqual(['0 mA', '1 mA', '2 mA']);
    expect(formatTicks([0, 5, 10], 5, 'MPa', false)).toEqual(['0 MPa', '5 MPa', '10 MPa']);
  });
});
