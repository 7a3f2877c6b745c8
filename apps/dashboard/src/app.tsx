import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useNow, useRoute, useStore } from './hooks.js';
import { describeProblem } from './lib/api.js';
import { KIND_LABEL } from './lib/evidence.js';
import { routeHref, type Route } from './lib/route.js';
import type { DashboardStore } from './lib/store.js';
import { setSoundEnabled, soundEnabled } from './sound.js';
import { AlertFeed } from './views/alerts.js';
import { CellView } from './views/cell.js';
import { CompareView } from './views/compare.js';
import { NotificationsView } from './views/notifications.js';
import { ConfigEditor } from './views/config.js';
import { Overview } from './views/overview.js';
import { ReplayPanel } from './views/replays.js';
import { apiToken, setApiToken } from './lib/token.js';

function Banners({ store }: { store: DashboardStore }) {
  const critical = store.alertsNewestFirst().filter((a) => a.severity === 'critical' && a.state === 'raised');
  const connection = store.connection;
  return (
    <div class="banners">
      {store.apiProblem && (
        <div class="banner banner-error" role="alert" data-banner="api">
          <strong>⚠ API problem.</strong> {describeProblem(store.apiProblem)} Retrying every few seconds; what
          is shown may be out of date.
        </div>
      )}
      {connection.state === 'disconnected' && (
        <div class="banner banner-error" role="alert" data-banner="socket">
          <strong>⚠ Live connection lost</strong> ({connection.reason}). Reconnecting
          {connection.attempts > 0 ? ` — attempt ${connection.attempts}` : ''}; plots and tiles are paused.
        </div>
      )}
      {critical.length > 0 && (
        <div class="banner banner-critical" role="alert" data-banner="critical">
          <strong>
            ✖ {critical.length} critical alert{critical.length > 1 ? 's' : ''} open:
          </strong>{' '}
          {critical.slice(0, 3).map((a, k) => (
            <span key={a.id}>
              {k > 0 ? ' · ' : ''}
              <a href={routeHref({ view: 'cell', rigId: a.rigId, cellId: a.cellId })}>
                {a.rigId}/{a.cellId} {KIND_LABEL[a.kind]}
              </a>
            </span>
          ))}
          {critical.length > 3 ? ` and ${critical.length - 3} more` : ''} —{' '}
          <a href="#/alerts">acknowledge in the alert feed</a>
        </div>
      )}
    </div>
  );
}

function NavLink({
  route,
  current,
  children,
}: {
  route: Route;
  current: Route;
  children: ComponentChildren;
}) {
  const active =
    route.view === current.view ||
    (route.view === 'overview' && (current.view === 'cell' || current.view === 'config'));
  return (
    <a href={routeHref(route)} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function App({ store }: { store: DashboardStore }) {
  useStore(store);
  const route = useRoute();
  const now = useNow(2000);
  const [sound, setSound] = useState(soundEnabled());
  const openAlerts = [...store.alerts.values()].filter((a) => a.state === 'raised');
  const open = openAlerts.length;
  const critical = openAlerts.filter((a) => a.severity === 'critical').length;
  // The tab title carries the count, so a page left open in a background tab still says something is wrong.
  useEffect(() => {
    document.title =
      critical > 0 ? `(${critical} critical) Sandglass` : open > 0 ? `(${open}) Sandglass` : 'Sandglass';
  }, [critical, open]);
  const connection = store.connection.state;

  let view;
  switch (route.view) {
    case 'overview':
      view = <Overview store={store} now={now} />;
      break;
    case 'alerts':
      view = <AlertFeed store={store} />;
      break;
    case 'replays':
      view = <ReplayPanel store={store} />;
      break;
    case 'notifications':
      view = <NotificationsView key={route.alertId} alertId={route.alertId} />;
      break;
    case 'cell':
      view = (
        <CellView
          key={`${route.rigId}/${route.cellId}`}
          store={store}
          rigId={route.rigId}
          cellId={route.cellId}
        />
      );
      break;
    case 'config':
      view = <ConfigEditor rigId={route.rigId} cellId={route.cellId} />;
      break;
    case 'compare':
      view = <CompareView store={store} cells={route.cells} cycle={route.cycle} />;
      break;
    case 'not-found':
      view = (
        <p class="empty">
          Nothing at {route.hash}. <a href="#/">Go to the overview.</a>
        </p>
      );
      break;
  }

  return (
    <>
      <header class="top">
        <h1>
          <a href="#/">Sandglass</a>
        </h1>
        <nav>
          <NavLink route={{ view: 'overview' }} current={route}>
            Overview
          </NavLink>
          <NavLink route={{ view: 'alerts' }} current={route}>
            Alerts{open > 0 ? ` (${open} open)` : ''}
          </NavLink>
          <NavLink route={{ view: 'replays' }} current={route}>
            Replays
          </NavLink>
          <NavLink route={{ view: 'notifications', alertId: null }} current={route}>
            Notifications
          </NavLink>
          <NavLink route={{ view: 'compare', cells: [], cycle: null }} current={route}>
            Compare
          </NavLink>
        </nav>
        <span class={`connection connection-${connection}`} data-connection={connection}>
          {connection === 'connected'
            ? '● live'
            : connection === 'connecting'
              ? '○ connecting…'
              : '○ offline'}
        </span>
        <label class="sound">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              setSoundEnabled(e.currentTarget.checked);
              setSound(e.currentTarget.checked);
            }}
          />{' '}
          sound on critical alerts
        </label>
        <button
          type="button"
          class="token"
          title="API token (needed when the api has authentication on)"
          onClick={() => {
            const token = window.prompt('API token (empty to remove):', apiToken());
            if (token === null) return;
            setApiToken(token);
            window.location.reload();
          }}
        >
          {apiToken() ? 'API token set' : 'API token'}
        </button>
      </header>
      <Banners store={store} />
      <main>{view}</main>
    </>
  );
}
