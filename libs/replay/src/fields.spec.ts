import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateTime_ms, parseDuration_s, splitQuoted, toNumber, unitOf } from './fields.js';
import { sniffFormat } from './sniff.js';

describe('field helpers', () => {
  it('parses durations with hours past 24 and day parts', () => {
    expect(parseDuration_s('144:02:18')).toBe(518538);
    expect(parseDuration_s('0:00:01.250')).toBe(1.25);
    expect(parseDuration_s('1d 02:00:00')).toBe(93600);
    expect(parseDuration_s('2 days, 00:00:30')).toBe(172830);
    expect(parseDuration_s('1:02:00:00')).toBe(93600);
    expect(parseDuration_s('12:30')).toBe(750);
    expect(parseDuration_s('12.5')).toBeNaN();
    expect(parseDuration_s('1:xx:00')).toBeNaN();
  });

  it('round-trips any H:MM:SS.fff duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (whole_s, ms) => {
          const text = `${Math.floor(whole_s / 3600)}:${String(Math.floor(whole_s / 60) % 60).padStart(2, '0')}:${String(whole_s % 60).padStart(2, '0')}.${String(ms).padStart(3, '0')}`;
          expect(parseDuration_s(text)).toBeCloseTo(whole_s + ms / 1000, 6);
        },
      ),
    );
  });

  it('parses cycler date-times as UTC', () => {
    expect(parseDateTime_ms('08/23/2021 11:44:40.646')).toBe(Date.UTC(2021, 7, 23, 11, 44, 40, 646));
    expect(parseDateTime_ms('5/11/2021 3:40:24 PM')).toBe(Date.UTC(2021, 4, 11, 15, 40, 24));
    expect(parseDateTime_ms('5/11/2021 12:05:00 AM')).toBe(Date.UTC(2021, 4, 11, 0, 5, 0));
    expect(parseDateTime_ms('2022-05-18 16:27:52')).toBe(Date.UTC(2022, 4, 18, 16, 27, 52));
    expect(parseDateTime_ms('1499006353')).toBe(1499006353000);
    expect(parseDateTime_ms('23/08/2021 11:44:40')).toBe(Date.UTC(2021, 7, 23, 11, 44, 40));
    expect(parseDateTime_ms('soon')).toBeUndefined();
    expect(parseDateTime_ms('42')).toBeUndefined();
  });

  it('reads units from column names', () => {
    expect(unitOf('Current(mA)')).toBe('mA');
    expect(unitOf('Current [A]')).toBe('A');
    expect(unitOf('Cell_Temperature (C)')).toBe('C');
    expect(unitOf('<I>/mA')).toBe('mA');
    expect(unitOf('<Ewe/V>')).toBe('V');
    expect(unitOf('Amps')).toBeUndefined();
  });

  it('treats empty and blank fields as missing, not zero', () => {
    expect(toNumber('')).toBeNaN();
    expect(toNumber('  ')).toBeNaN();
    expect(toNumber('0')).toBe(0);
    expect(toNumber('1.5E+003')).toBe(1500);
  });

  it('splits quoted CSV fields', () => {
    expect(splitQuoted('a,"b, c","d ""e""",', ',')).toEqual(['a', 'b, c', 'd "e"', '']);
  });
});

describe('sniffFormat', () => {
  it('names the format and why', () => {
    expect(sniffFormat(['BT-Lab ASCII FILE', 'Nb header lines : 3'])).toMatchObject({ format: 'biologic' });
    expect(sniffFormat(['time/s\tEwe/V\tI/mA', '0\t3.5\t1'])).toMatchObject({ format: 'biologic' });
    expect(sniffFormat(['0\t3.5', '1\t3.6'])).toMatchObject({ format: 'biologic' });
    expect(sniffFormat(['Data_Point,Date_Time,Test_Time(s),Current(A),Voltage(V)'])).toMatchObject({
      format: 'arbin',
    });
    expect(sniffFormat(['DataPoint,Step Type,Cumulative Time,Current(mA),Voltage(V)'])).toMatchObject({
      format: 'neware',
    });
    expect(sniffFormat(['Name:\tx', 'Started\t1/1/2021', '', 'Rec\tTestTime\tVoltage [V]'])).toMatchObject({
      format: 'maccor',
      reason: expect.stringContaining('line 4'),
    });
    expect(sniffFormat(['\uFEFF0,1,2', '1,1,2'])).toEqual({
      format: 'csv',
      reason: 'no known cycler header: generic CSV (needs a column map)',
    });
  });
});
