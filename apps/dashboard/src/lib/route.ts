/** Hash routes of the dashboard: `#/`, `#/alerts`, `#/replays`, `#/cell/{rig}/{cell}`, `…/config`. */
export type Route =
  | { view: 'overview' }
  | { view: 'alerts' }
  | { view: 'replays' }
  | { view: 'cell'; rigId: string; cellId: string }
  | { view: 'config'; rigId: string; cellId: string }
  | { view: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
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
    case 'cell':
      return `#/cell/${encodeURIComponent(route.rigId)}/${encodeURIComponent(route.cellId)}`;
    case 'config':
      return `#/cell/${encodeURIComponent(route.rigId)}/${encodeURIComponent(route.cellId)}/config`;
    case 'not-found':
      return route.hash;
  }
}
