import { describe, expect, it } from 'vitest';
import { CellConfigSchema, defaultCellConfig } from '#contracts';
import { needsSafetyStop, safetyStopCommand } from './safety-stop.js';
import { alertEvent } from '../../../../test/support/alert-event.js';

const alert = alertEvent;

describe('needsSafetyStop', () => {
  const safety = { stopOn: ['hard-short' as const], minSeverity: 'critical' as const };

  it('stops on a raised alert of a listed kind at the minimum severity', () => {
    expect(needsSafetyStop(safety, alert())).toBe(true);
  });

  it('does nothing without a safety configuration, for other kinds, or below the minimum severity', () => {
    expect(needsSafetyStop(undefined, alert())).toBe(false);
    expect(needsSafetyStop(safety, alert({ kind: 'soft-short' }))).toBe(false);
    expect(needsSafetyStop(safety, alert({ severity: 'warning' }))).toBe(false);
    expect(needsSafetyStop({ ...safety, minSeverity: 'warning' }, alert({ severity: 'warning' }))).toBe(true);
  });

  it('never for acknowledged or cleared events, nor twice for one alert', () => {
    expect(needsSafetyStop(safety, alert({ state: 'acknowledged' }))).toBe(false);
    expect(needsSafetyStop(safety, alert({ state: 'cleared' }))).toBe(false);
    expect(needsSafetyStop(safety, alert({ safetyStop: { ts: 1, topic: 't' } }))).toBe(false);
  });
});

describe('safetyStopCommand', () => {
  it('builds the DESIGN.md command for the cell topic', () => {
    const { topic, command } = safetyStopCommand(alert(), 1234);
    expect(topic).toBe('sandglass/v1/rig-01/ch-03/command');
    expect(command).toEqual({
      action: 'stop',
      reason: 'critical hard-short: |V| 0.2 mV while 1.1 mA flows',
      alertId: 'a1',
      ts: 1234,
    });
  });
});

describe('safety configuration (contracts)', () => {
  const base = defaultCellConfig('rig-01', 'ch-03');

  it('accepts stopOn with a default minSeverity of critical', () => {
    const parsed = CellConfigSchema.parse({ ...base, safety: { stopOn: ['hard-short'] } });
    expect(parsed.safety).toEqual({ stopOn: ['hard-short'], minSeverity: 'critical' });
  });

  it('refuses unknown kinds, an empty or repeated list, a bad severity and unknown fields', () => {
    for (const safety of [
      { stopOn: ['fire'] },
      { stopOn: [] },
      { stopOn: ['hard-short', 'hard-short'] },
      { stopOn: ['hard-short'], minSeverity: 'info' },
      { stopOn: ['hard-short'], minSeverty: 'warning' },
    ]) {
      expect(CellConfigSchema.safeParse({ ...base, safety }).success, JSON.stringify(safety)).toBe(false);
    }
  });
});
