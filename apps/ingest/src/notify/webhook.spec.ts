import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultCellConfig, type AlertEvent } from '#contracts';
import { cellSummary, dashboardUrl, idempotencyKey, signature, webhookBody } from './webhook.js';

const alert: AlertEvent = {
  id: 'a1',
  ts: 1_767_225_600_000,
  rigId: 'rig-01',
  cellId: 'ch-03',
  kind: 'hard-short',
  severity: 'warning',
  state: 'raised',
  source: 'physics',
  message: 'm',
  evidence: { voltage_V: 0.0002 },
};

describe('webhook', () => {
  it('gives each state change its own key, an escalation included', () => {
    const keys = [
      alert,
      { ...alert, severity: 'critical' as const },
      { ...alert, state: 'acknowledged' as const },
      { ...alert, state: 'cleared' as const },
    ].map(idempotencyKey);
    expect(keys).toEqual(['a1:raised:warning', 'a1:raised:critical', 'a1:acknowledged', 'a1:cleared']);
  });

  it('puts the alert event at the top level with the dashboard link and the cell summary', () => {
    const config = {
      ...defaultCellConfig('rig-01', 'ch-03'),
      safety: { stopOn: ['hard-short' as const], minSeverity: 'critical' as const },
    };
    const body = JSON.parse(webhookBody(alert, 'https://sg.lab/', cellSummary(config))) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject(alert);
    expect(body.dashboardUrl).toBe('https://sg.lab/#/cell/rig-01/ch-03');
    expect(body.cell).toEqual({
      rigId: 'rig-01',
      cellId: 'ch-03',
      cellType: 'symmetric',
      electrodeArea_cm2: 1,
      electrolyte: 'lp30',
      safety: { stopOn: ['hard-short'], minSeverity: 'critical' },
    });
    expect(dashboardUrl('http://h:3000', { rigId: 'r', cellId: 'c.1' })).toBe('http://h:3000/#/cell/r/c.1');
  });

  it('signs the raw body with HMAC-SHA256 in hex', () => {
    const expected = createHmac('sha256', 'secret').update('{"a":1}').digest('hex');
    expect(signature('{"a":1}', 'secret')).toBe(expected);
    expect(signature('{"a":1}', 'secret')).toMatch(/^[0-9a-f]{64}$/);
  });
});
