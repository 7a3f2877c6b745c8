import { parseCellList } from './cycles.js';

/**
 * Hash routes of the dashboard: `#/`, `#/alerts`, `#/replays`, `#/cell/{rig}/{cell}`, `…/config`,
 * `#/compare?cells=rig/cell,rig/cell&cycle=N`, `#/notifications[?alert=id]`.
 */
export type Route =
  | { view: 'overview' }
  | { view: 'compare'; cells: { rigId: string; cellId: string }[]; cycle: number | null }
  | { view: 'alerts' }
  | { view: 'notifications'; alertId: string | null }
  | { view: 'replays' }
  | { view: 'cell'; rigId: string; cellId: string }
  | { view: 'config'; rigId: string; cellId: string }
  | { view: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const [pathPart = '', queryPart] = hash.replace(/^#/, '').split('?', 2);
  const path = pathPart.replace(/^\/+|\/+$/g, '');
  if (path === 'compare') {
    const params = new URLSearchParams(queryPart ?? '');
    const cycle = Number(params.get('cycle'));
    return {
      view: 'compare',
      cells: parseCellList(params.get('cells')),
      cycle: params.has('cycle') && Number.isInteger(cycle) && cycle >= 0 ? cycle : null,
    };
  }
  if (path === 'notifications')
    return { view: 'notifications', alertId: new URLSearchParams(queryPart ?? '').get('alert') };
  const parts = path === '' ? [] : path.split('/').map((part) => decodeURIComponent(part));
  const [head, rigId, cellId, tail] = parts;
  if (parts.length === 0) return { view: 'overview' };
  if (head === 'alerts' && parts.length === 1) return { view: 'alerts' };
  if (head === 'replays' && parts.length === 1) return { view: 'replays' };
  if (head === 'cell' && rigId && cellId) {
    if (parts.length === 3) return { view: 'cell', rigId, cellId };
    if (parts.length === 4 && tail === 'config') return { view: 'config', rigId, cellId };
  }
  return { view: 'not-found', hash };
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'overview':
      return '#/';
    case 'alerts':
      return '#/alerts';
    case 'replays':
      return '#/replays';
    case 'notifications':
      return route.alertId ? `#/notifications?alert=${encodeURIComponent(route.alertId)}` : '#/notifications';
    case 'compare': {
      const params = new URLSearchParams();
      if (route.cells.length > 0)
        params.set('cells', route.cells.map((c) => `${c.rigId}/${c.cellId}`).join(','));
      if (route.cycle !== null) params.set('cycle', String(route.cycle));
      const text = params.toString();
      return text ? `#/compare?${text}` : '#/compare';
    }
    case 'cell':
      return `#/cell/${encodeURIComponent(route.rigId)}/${encodeURIComponent(route.cellId)}`;
    case 'config':
      return `#/cell/${encodeURIComponent(route.rigId)}/${encodeURIComponent(route.cellId)}/config`;
    case 'not-found':
      return route.hash;
  }
}
