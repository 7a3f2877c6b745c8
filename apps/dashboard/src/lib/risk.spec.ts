import type { AlertEvent, CellSummary, StateMessage } from '#contracts';
import { describe, expect, it } from 'vitest';
import { cellRisk, isOpenAlert, sortByRisk, worstRisk } from './risk.js';

const state = (risk: StateMessage['risk']): StateMessage => ({
  rigId: 'rig-01',
  cellId: 'ch-01',
  ts: 1,
  v: 0.01,
  i: 0.001,
  risk,
  levels: {},
  estimates: {},
  samples: 1,
  run: 0,
});

const alert = (over: Partial<AlertEvent>): AlertEvent => ({
  id: 'a1',
  ts: 1,
  rigId: 'rig-01',
  cellId: 'ch-01',
  kind: 'sand-depletion',
  severity: 'warning',
  state: 'raised',
  source: 'physics',
  message: '',
  evidence: {},
  ...over,
});

describe('worstRisk', () => {
  it('orders no-data < ok < warning < critical', () => {
    expect(worstRisk([])).toBe('no-data');
    expect(worstRisk(['ok', 'no-data'])).toBe('ok');
    expect(worstRisk(['ok', 'critical', 'warning'])).toBe('critical');
  });
});

describe('cellRisk', () => {
  const cell: CellSummary = { rigId: 'rig-01', cellId: 'ch-01', configured: true, state: state('ok') };

  it('takes the state risk when no alert is open', () => {
    expect(cellRisk(cell, [])).toBe('ok');
    expect(cellRisk({ ...cell, state: null }, [])).toBe('no-data');
  });

  it('is raised by the cell own uncleared alerts only', () => {
    expect(cellRisk(cell, [alert({ severity: 'critical' })])).toBe('critical');
    expect(cellRisk(cell, [alert({ severity: 'critical', state: 'acknowledged' })])).toBe('critical');
    expect(cellRisk(cell, [alert({ severity: 'critical', state: 'cleared' })])).toBe('ok');
    expect(cellRisk(cell, [alert({ severity: 'critical', cellId: 'ch-02' })])).toBe('ok');
  });

  it('counts only raised alerts as open', () => {
    expect(isOpenAlert(alert({}))).toBe(true);
    expect(isOpenAlert(alert({ state: 'acknowledged' }))).toBe(false);
  });
});

describe('sortByRisk', () => {
  it('puts the worst first and orders ties by rig then cell', () => {
    const sorted = sortByRisk([
      { rigId: 'b', cellId: '1', risk: 'ok' as const },
      { rigId: 'a', cellId: '2', risk: 'critical' as const },
      { rigId: 'a', cellId: '1', risk: 'ok' as const },
      { rigId: 'a', cellId: '3', risk: 'no-data' as const },
      { rigId: 'c', cellId: '1', risk: 'warning' as const },
    ]);
    expect(sorted.map((c) => `${c.rigId}/${c.cellId}`)).toEqual(['a/2', 'c/1', 'a/1', 'b/1', 'a/3']);
  });
});
