import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './lib/route.js';
import type { DashboardStore } from './lib/store.js';

/** Re-renders the component whenever the store reports a change; returns the store's version. */
export function useStore(store: DashboardStore): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return version;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** The wall clock, refreshed every `every_ms` (for "12 s ago" labels). */
export function useNow(every_ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every_ms);
    return () => clearInterval(timer);
  }, [every_ms]);
  return now;
}
