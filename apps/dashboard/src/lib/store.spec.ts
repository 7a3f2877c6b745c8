import type { AlertEvent, StateMessage } from '#contracts';
import { describe, expect, it } from 'vitest';
import { DashboardStore, LIVE_POINTS, SERIES_COLUMNS } from './store.js';

const state = (ts: number, over: Partial<StateMessage> = {}): StateMessage => ({
  rigId: 'rig-01',
  cellId: 'ch-01',
  ts,
  v: 0.01,
  i: 0.001,
  t: 25,
  risk: 'ok',
  levels: {},
  estimates: {},
  samples: 1,
  run: 0,
  ...over,
});

const alert = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  id: 'a1',
  ts: 1,
  rigId: 'rig-01',
  cellId: 'ch-01',
  kind: 'hard-short',
  severity: 'critical',
  state: 'raised',
  source: 'physics',
  message: 'short',
  evidence: {},
  ...over,
});

describe('DashboardStore', () => {
  it('appends live states to the cell series in data time, skipping repeats', () => {
    const store = new DashboardStore();
    store.applyState(state(1_000));
    store.applyState(state(2_000, { v: 0.02 }));
    store.applyState(state(2_000, { v: 0.03 }));
    const series = store.series.get('rig-01/ch-01')!;
    expect(series.buffer.column(SERIES_COLUMNS.ts_s)).toEqual([1, 2]);
    expect(series.buffer.column(SERIES_COLUMNS.v)).toEqual([0.01, 0.02]);
    expect(series.buffer.column(SERIES_COLUMNS.p)).toEqual([null, null]);
    expect(store.cells.get('rig-01/ch-01')?.state?.v).toBe(0.03);
  });

  it('counts a cell as seen only when its data time moves', () => {
    const store = new DashboardStore();
    store.applyState(state(1_000));
    expect(store.lastSeen.has('rig-01/ch-01')).toBe(false);
    store.applyState(state(1_000));
    expect(store.lastSeen.has('rig-01/ch-01')).toBe(false);
    store.applyState(state(2_000));
    expect(store.lastSeen.get('rig-01/ch-01')).toBeGreaterThan(0);
  });

  it('starts the trace again on a new run', () => {
    const store = new DashboardStore();
    store.applyState(state(1_000_000));
    store.applyState(state(5_000, { run: 1 }));
    expect(store.series.get('rig-01/ch-01')!.buffer.column(SERIES_COLUMNS.ts_s)).toEqual([5]);
  });

  it('backfills history in front of the live trace, keeping the newest points', () => {
    const store = new DashboardStore();
    store.applyState(state(10_000, { v: 0.5 }));
    store.backfill('rig-01', 'ch-01', [
      { ts: 9_000, v: 0.4, i: 0.001, t: null },
      { ts: 8_000, v: 0.3, i: 0.001 },
      { ts: 10_000, v: 9, i: 9 },
    ]);
    const buffer = store.series.get('rig-01/ch-01')!.buffer;
    expect(buffer.column(SERIES_COLUMNS.ts_s)).toEqual([8, 9, 10]);
    expect(buffer.column(SERIES_COLUMNS.v)).toEqual([0.3, 0.4, 0.5]);
    expect(buffer.column(SERIES_COLUMNS.t)).toEqual([null, null, 25]);

    const many = Array.from({ length: LIVE_POINTS + 10 }, (_, k) => ({ ts: k, v: k, i: 0 }));
    store.backfill('rig-01', 'ch-01', many);
    expect(buffer.length).toBe(LIVE_POINTS);
    expect(buffer.fromEnd(SERIES_COLUMNS.ts_s)).toBe(10);
  });

  it('keeps a live state newer than a later cell listing', () => {
    const store = new DashboardStore();
    store.applyState(state(9_000, { v: 0.09 }));
    store.setCells([{ rigId: 'rig-01', cellId: 'ch-01', configured: true, state: state(1_000) }]);
    const cell = store.cells.get('rig-01/ch-01')!;
    expect(cell.configured).toBe(true);
    expect(cell.state?.v).toBe(0.09);
  });

  it('tells critical listeners once per newly raised critical alert', () => {
    const store = new DashboardStore();
    const heard: string[] = [];
    store.onCritical((a) => heard.push(a.id));
    store.applyAlert(alert({ severity: 'warning' }));
    store.applyAlert(alert());
    store.applyAlert(alert());
    store.applyAlert(alert({ state: 'acknowledged' }));
    store.applyAlert(alert({ id: 'a2' }));
    expect(heard).toEqual(['a1', 'a2']);
    expect(store.alerts.get('a1')?.state).toBe('acknowledged');
  });

  it('ignores an alert event older than the one it holds and sorts newest first', () => {
    const store = new DashboardStore();
    store.applyAlert(alert({ state: 'acknowledged', emittedAt: 20 }));
    store.setAlerts([alert({ state: 'raised', emittedAt: 10 }), alert({ id: 'b', emittedAt: 30 })]);
    expect(store.alerts.get('a1')?.state).toBe('acknowledged');
    expect(store.alertsNewestFirst().map((a) => a.id)).toEqual(['b', 'a1']);
  });

  it('notifies listeners once for a burst of changes', async () => {
    const store = new DashboardStore(5);
    let calls = 0;
    store.subscribe(() => calls++);
    for (let k = 1; k <= 50; k++) store.applyState(state(k * 1000));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(1);
  });
});
