import { useState } from 'preact/hooks';
import { AlertList, operatorName, setOperatorName } from '../components/alert-list.js';
import type { DashboardStore } from '../lib/store.js';

type Filter = 'open' | 'unresolved' | 'all';

/** Every alert, newest first, acknowledged from the page. */
export function AlertFeed({ store }: { store: DashboardStore }) {
  const [filter, setFilter] = useState<Filter>('unresolved');
  const [operator, setOperator] = useState(operatorName());
  const alerts = store
    .alertsNewestFirst()
    .filter(
      (a) =>
        filter === 'all' || a.state === 'raised' || (filter === 'unresolved' && a.state === 'acknowledged'),
    );
  return (
    <section aria-label="Alerts">
      <div class="toolbar">
        <h2>Alerts</h2>
        <label>
          Show{' '}
          <select
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as Filter)}
            name="alert-filter"
          >
            <option value="open">open (not acknowledged)</option>
            <option value="unresolved">open and acknowledged</option>
            <option value="all">all, including cleared</option>
          </select>
        </label>
        <label>
          Acknowledge as{' '}
          <input
            name="operator"
            value={operator}
            placeholder="operator"
            size={12}
            onInput={(e) => {
              setOperator(e.currentTarget.value);
              setOperatorName(e.currentTarget.value);
            }}
          />
        </label>
        <span class="muted">newest first · {alerts.length} shown</span>
      </div>
      <AlertList alerts={alerts} store={store} empty="No alerts to show." />
    </section>
  );
}
