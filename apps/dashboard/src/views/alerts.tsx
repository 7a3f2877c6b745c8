import { useState } from 'preact/hooks';
import { AlertList } from '../components/alert-list.js';
import type { DashboardStore } from '../lib/store.js';

type Filter = 'open' | 'unresolved' | 'all';

/** Every alert, newest first, acknowledged from the page. */
export function AlertFeed({ store }: { store: DashboardStore }) {
  const [filter, setFilter] = useState<Filter>('unresolved');
  const alerts = store
    .alertsNewestFirst()
    .filter((a) => filter === 'all' || a.state === 'raised' || (filter === 'unresolved' && a.state === 'acknowledged'));
  return (
    <section aria-label="Alerts">
      <div class="toolbar">
        <h2>Alerts</h2>
        <label>
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.currentTarget.value as Filter)} name="alert-filter">
            <option value="open">open (not acknowledged)</option>
            <option value="unresolved">open and acknowledged</option>
            <option value="all">all, including cleared</option>
          </select>
        </label>
        <span class="muted">newest first · {alerts.length} shown</span>
      </div>
      <AlertList alerts={alerts} store={store} empty="No alerts to show." />
    </section>
  );
}
