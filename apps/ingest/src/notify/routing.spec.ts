import { describe, expect, it } from 'vitest';
import { NotifyRoutesFileSchema, type NotifyRoute } from '#contracts';
import { Router, routeMatches } from './routing.js';
import { alertEvent } from '../../../../test/support/alert-event.js';

const alert = alertEvent;

const routes = (file: unknown): NotifyRoute[] => NotifyRoutesFileSchema.parse(file).routes;

describe('routing of alert state changes', () => {
  it('matches by rig, cell, kind and minimum severity (every given field)', () => {
    const [route] = routes({
      routes: [
        {
          name: 'r',
          match: {
            rigId: ['rig-01'],
            cellId: ['ch-03', 'ch-04'],
            kind: ['hard-short'],
            minSeverity: 'critical',
          },
          channels: ['chat'],
        },
      ],
    });
    expect(routeMatches(route!, alert())).toBe(true);
    expect(routeMatches(route!, alert({ rigId: 'rig-02' }))).toBe(false);
    expect(routeMatches(route!, alert({ cellId: 'ch-05' }))).toBe(false);
    expect(routeMatches(route!, alert({ kind: 'soft-short' }))).toBe(false);
    expect(routeMatches(route!, alert({ severity: 'warning' }))).toBe(false);
    const [all] = routes({ routes: [{ name: 'all', channels: ['chat'] }] });
    expect(routeMatches(all!, alert({ severity: 'warning', rigId: 'x' }))).toBe(true);
  });

  it('sends each channel once whatever the number of routes naming it; an escalation-only route never matches', () => {
    const router = new Router(
      routes({
        routes: [
          { name: 'lab', match: { rigId: ['rig-01'] }, channels: ['chat', 'webhook'] },
          { name: 'critical', match: { minSeverity: 'critical' }, channels: ['email', 'chat'] },
          { name: 'pi', escalationOnly: true, channels: ['email'] },
        ],
      }),
    );
    expect(router.route(alert(), 0)).toEqual([
      { channel: 'chat', route: 'lab', rateLimited: false },
      { channel: 'webhook', route: 'lab', rateLimited: false },
      { channel: 'email', route: 'critical', rateLimited: false },
    ]);
    expect(router.route(alert({ rigId: 'rig-02', severity: 'warning' }), 0)).toEqual([]);
  });

  it('limits a route to max sends per window; another route naming the channel still sends it', () => {
    const router = new Router(
      routes({
        routes: [
          { name: 'chatty', channels: ['chat'], rateLimit: { max: 2, per_s: 60 } },
          { name: 'mail', match: { kind: ['hard-short'] }, channels: ['email', 'chat'] },
        ],
      }),
    );
    const warning = alert({ kind: 'soft-short', severity: 'warning' });
    expect(router.route(warning, 0)).toEqual([{ channel: 'chat', route: 'chatty', rateLimited: false }]);
    expect(router.route(warning, 10_000)[0]!.rateLimited).toBe(false);
    expect(router.route(warning, 20_000)).toEqual([{ channel: 'chat', route: 'chatty', rateLimited: true }]);
    // The hard short also matches `mail`, which takes the chat channel the limited route cannot.
    expect(router.route(alert(), 30_000)).toEqual([
      { channel: 'chat', route: 'mail', rateLimited: false },
      { channel: 'email', route: 'mail', rateLimited: false },
    ]);
    // The window slides: 60 s after the first send there is room again.
    expect(router.route(warning, 60_000)[0]!.rateLimited).toBe(false);
    expect(router.route(warning, 60_001)[0]!.rateLimited).toBe(true);
  });

  it('plans an escalation for a raised critical alert of a route that has one', () => {
    const router = new Router(
      routes({
        routes: [
          { name: 'night', channels: ['chat'], escalate: { after_min: 15, to: 'pi' } },
          { name: 'pi', escalationOnly: true, channels: ['email'] },
        ],
      }),
    );
    const [plan] = router.escalations(alert());
    expect(plan).toMatchObject({ from: 'night', after_ms: 15 * 60_000, to: { name: 'pi' } });
    expect(router.escalations(alert({ severity: 'warning' }))).toEqual([]);
    expect(router.escalations(alert({ state: 'acknowledged' }))).toEqual([]);
  });

  it('refuses a routes file with repeated names, an unknown escalation target or an unknown channel', () => {
    const issues = (file: unknown) =>
      NotifyRoutesFileSchema.safeParse(file).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(
      issues({
        routes: [
          { name: 'a', channels: ['chat'] },
          { name: 'a', channels: ['email'] },
        ],
      }),
    ).toEqual(['routes.1.name: a given twice']);
    expect(
      issues({ routes: [{ name: 'a', channels: ['chat'], escalate: { after_min: 5, to: 'b' } }] }),
    ).toEqual(['routes.0.escalate.to: b is not another route of this file']);
    expect(issues({ routes: [{ name: 'a', channels: ['sms'] }] })?.[0]).toMatch(/^routes\.0\.channels\.0/);
    expect(
      issues({ routes: [{ name: 'a', channels: ['chat'], match: { severity: 'critical' } }] })?.[0],
    ).toMatch(/^routes\.0\.match/);
  });
});
