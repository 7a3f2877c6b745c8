import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, type Route } from './route.js';

describe('parseRoute', () => {
  it('reads every view', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/')).toEqual({ view: 'overview' });
    expect(parseRoute('#/alerts')).toEqual({ view: 'alerts' });
    expect(parseRoute('#/replays/')).toEqual({ view: 'replays' });
    expect(parseRoute('#/notifications')).toEqual({ view: 'notifications', alertId: null });
    expect(parseRoute('#/notifications?alert=a%2F1')).toEqual({ view: 'notifications', alertId: 'a/1' });
    expect(parseRoute('#/cell/rig-01/ch.3')).toEqual({ view: 'cell', rigId: 'rig-01', cellId: 'ch.3' });
    expect(parseRoute('#/cell/rig-01/ch_3/config')).toEqual({
      view: 'config',
      rigId: 'rig-01',
      cellId: 'ch_3',
    });
  });

  it('reads the compare view’s cells and cycle from the query', () => {
    expect(parseRoute('#/compare?cells=r1/c1,r2/c2&cycle=4')).toEqual({
      view: 'compare',
      cells: [
        { rigId: 'r1', cellId: 'c1' },
        { rigId: 'r2', cellId: 'c2' },
      ],
      cycle: 4,
    });
    expect(parseRoute('#/compare?cycle=x')).toEqual({ view: 'compare', cells: [], cycle: null });
  });

  it('says not-found for anything else', () => {
    expect(parseRoute('#/cell/rig-01')).toEqual({ view: 'not-found', hash: '#/cell/rig-01' });
    expect(parseRoute('#/nope')).toEqual({ view: 'not-found', hash: '#/nope' });
  });

  it('round-trips through routeHref', () => {
    const routes: Route[] = [
      { view: 'overview' },
      { view: 'alerts' },
      { view: 'replays' },
      { view: 'notifications', alertId: null },
      { view: 'notifications', alertId: 'rig-01/ch-03/hard-short/1' },
      { view: 'cell', rigId: 'r', cellId: 'c' },
      { view: 'config', rigId: 'r', cellId: 'c' },
      { view: 'compare', cells: [], cycle: null },
      {
        view: 'compare',
        cells: [
          { rigId: 'r', cellId: 'c1' },
          { rigId: 'r', cellId: 'c2' },
        ],
        cycle: 3,
      },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });
});
