import { describe, expect, it } from 'vitest';
import { emptySamplePage } from '#store';
import { SAMPLE_COLUMNS, samplesCsvHeader, samplesCsvRows } from './bdf.js';

describe('Battery Data Format CSV', () => {
  it('names the columns with BDF labels and writes absent values as empty fields', () => {
    expect(samplesCsvHeader()).toBe(SAMPLE_COLUMNS.join(',') + '\n');
    expect(SAMPLE_COLUMNS.slice(0, 4)).toEqual([
      'Test Time / s',
      'Unix Time / s',
      'Voltage / V',
      'Current / A',
    ]);
    const page = emptySamplePage(2);
    const t0 = Date.UTC(2026, 0, 1);
    page.ts.set([t0 + 1500.25, t0 + 2500]);
    page.v.set([3.7, -0.0125]);
    page.i.set([0.001, -2e-7]);
    page.t[1] = 25.5;
    page.cycle.set([1, 2]);
    expect(samplesCsvRows(page, t0)).toBe(
      `1.50025,${(t0 + 1500.25) / 1000},3.7,0.001,,,1,\n2.5,${(t0 + 2500) / 1000},-0.0125,-2e-7,25.5,,2,\n`,
    );
    expect(samplesCsvRows(emptySamplePage(0), t0)).toBe('');
  });
});
