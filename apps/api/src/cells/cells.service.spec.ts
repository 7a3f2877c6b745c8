import { describe, expect, it } from 'vitest';
import type { StateMessage } from '#contracts';
import type { StoredCell, TelemetryStore } from '#store';
import type { LiveFeed } from '../live/live-feed.service.js';
import type { MqttBus } from '../mqtt/mqtt-bus.js';
import { CellsService } from './cells.service.js';

function state(cellId: string, ts: number, extra: Partial<StateMessage> = {}): StateMessage {
  return {
    rigId: 'rig-01',
    cellId,
    ts,
    v: 0.01,
    i: 1e-4,
    risk: 'ok',
    levels: {},
    estimates: { depletionFraction: 0.1 },
    samples: 1,
    run: 0,
    ...extra,
  };
}

/** A store and a live feed whose contents the test changes between listings. */
function service() {
  const stored: StoredCell[] = [];
  const live: StateMessage[] = [];
  const store = { listCells: async () => stored.map((c) => ({ ...c })) } as unknown as TelemetryStore;
  const feed = { latestStates: () => [...live] } as unknown as LiveFeed;
  return { cells: new CellsService(store, {} as MqttBus, feed), stored, live };
}

describe('CellsService.listJson (GET /api/cells)', () => {
  it('is the JSON of list(), and follows every change of state and configuration', async () => {
    const { cells, stored, live } = service();
    stored.push(
      { rigId: 'rig-01', cellId: 'b', configured: true, state: state('b', 1000) },
      { rigId: 'rig-01', cellId: 'a', configured: false, state: null },
    );
    live.push(state('c', 2000));
    expect(JSON.parse((await cells.listJson()).toString())).toEqual(await cells.list());

    // A newer live state of b, a configuration for a, a cell gone: the next answer has all of them.
    live.push(state('b', 3000, { risk: 'warning', levels: { 'sand-depletion': 'warning' } }));
    stored[1] = { ...stored[1]!, configured: true };
    live.splice(0, 1);
    const second = JSON.parse((await cells.listJson()).toString()) as unknown[];
    expect(second).toEqual(await cells.list());
    expect(second).toEqual([
      { rigId: 'rig-01', cellId: 'a', configured: true, state: null },
      {
        rigId: 'rig-01',
        cellId: 'b',
        configured: true,
        state: state('b', 3000, { risk: 'warning', levels: { 'sand-depletion': 'warning' } }),
      },
    ]);
  });

  it('answers an empty array when no cell is known', async () => {
    expect((await service().cells.listJson()).toString()).toBe('[]');
  });
});
