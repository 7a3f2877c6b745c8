import { describe, expect, it } from 'vitest';
import { AlertsQuerySchema, QUERY_TIME_MAX_MS, TelemetryQuerySchema } from './rest.js';

describe('REST query contracts', () => {
  it('refuses times the stores cannot represent, with a reason', () => {
    for (const bad of [
      { from: '1e300' },
      { to: '-1e300' },
      { to: '-5' },
      { from: 'Infinity' },
      { from: 'NaN' },
    ]) {
      const result = TelemetryQuerySchema.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
    }
    expect(AlertsQuerySchema.safeParse({ since: '1e300' }).success).toBe(false);
    expect(TelemetryQuerySchema.parse({ from: '0', to: String(QUERY_TIME_MAX_MS) })).toMatchObject({
      from: 0,
      to: QUERY_TIME_MAX_MS,
    });
    expect(TelemetryQuerySchema.parse({ from: '2026-01-01T00:00:00Z' }).from).toBe(Date.UTC(2026, 0, 1));
    expect(TelemetryQuerySchema.safeParse({ from: '9999-01-01T00:00:00Z' }).success).toBe(false);
  });

  it('refuses an every of zero or beyond a year, and any that is not a duration', () => {
    for (const every of ['0ms', '0s', '367d', '99999999999999999999h', '1e3ms', '10', 'ms']) {
      const result = TelemetryQuerySchema.safeParse({ every });
      expect(result.success, every).toBe(false);
    }
    for (const every of ['1ms', '10s', '5m', '366d']) {
      expect(TelemetryQuerySchema.parse({ every }).every).toBe(every);
    }
  });
});
