import { beforeEach, describe, expect, it } from 'vitest';
import { type AlertEvent, type StateMessage, alertsTopic, stateTopic } from '#contracts';
import { ApiMetrics } from '../health/api-metrics.js';
import { InProcessBus } from '../testing/in-process-bus.js';
import { LiveFeed } from './live-feed.service.js';
import { LiveGateway, type LiveNamespace, type LiveSocket, roomsOf } from './live.gateway.js';
import { AuthPolicy } from '../auth/auth-policy.js';

interface Received {
  event: string;
  data: unknown;
  volatile: boolean;
}

/** A socket.io socket's room membership and what reached it. */
let socketSerial = 0;

class FakeSocket {
  /** socket.io also puts a socket in the room named by its id (kept apart from `rooms` here). */
  readonly id = `socket-${socketSerial++}`;
  readonly rooms = new Set<string>();
  readonly received: Received[] = [];
  join(room: string): void {
    this.rooms.add(room);
  }
  leave(room: string): void {
    this.rooms.delete(room);
  }
  emit(event: string, data: unknown): boolean {
    this.received.push({ event, data, volatile: false });
    return true;
  }
  of(event: string): unknown[] {
    return this.received.filter((r) => r.event === event).map((r) => r.data);
  }
}

/** Delivers like a socket.io namespace: once per socket in any of the target rooms. */
class FakeNamespace {
  /** Handshake middleware; these fake sockets connect without one. */
  use(): void {}

  readonly sockets: FakeSocket[] = [];
  /** One process: local is everything. */
  get local(): this {
    return this;
  }
  get adapter() {
    const rooms = new Map<string, Set<string>>();
    for (const socket of this.sockets) {
      for (const room of [socket.id, ...socket.rooms]) {
        rooms.set(room, (rooms.get(room) ?? new Set()).add(socket.id));
      }
    }
    return { rooms };
  }
  to(rooms: string | string[], excluded: string[] = []) {
    const targets = new Set(Array.isArray(rooms) ? rooms : [rooms]);
    const deliver = (volatile: boolean) => (event: string, data: unknown) => {
      for (const socket of this.sockets) {
        const joined = [socket.id, ...socket.rooms];
        if (joined.some((room) => excluded.includes(room))) continue;
        if (joined.some((room) => targets.has(room))) socket.received.push({ event, data, volatile });
      }
      return true;
    };
    return {
      emit: deliver(false),
      volatile: { emit: deliver(true) },
      except: (except: string | string[]) => this.to(rooms, [...excluded, ...[except].flat()]),
    };
  }
  emit(event: string, data: unknown): boolean {
    for (const socket of this.sockets) socket.received.push({ event, data, volatile: false });
    return true;
  }
}

const BASE_MS = Date.UTC(2026, 0, 1);

function state(rigId: string, cellId: string, ts = BASE_MS, run = 0): StateMessage {
  return { rigId, cellId, ts, v: 0.01, i: 0.001, risk: 'ok', levels: {}, estimates: {}, samples: 1, run };
}

function alert(rigId: string, cellId: string): AlertEvent {
  return {
    id: `${rigId}-${cellId}-sand`,
    ts: BASE_MS,
    rigId,
    cellId,
    kind: 'sand-depletion',
    severity: 'warning',
    state: 'raised',
    source: 'physics',
    message: 'Li+ depletion',
    evidence: { jOverJstar: 1.8 },
  };
}

describe('LiveGateway rooms', () => {
  let bus: InProcessBus;
  let feed: LiveFeed;
  let gateway: LiveGateway;
  let namespace: FakeNamespace;

  const connect = async (...subscriptions: unknown[]): Promise<FakeSocket> => {
    const socket = new FakeSocket();
    namespace.sockets.push(socket);
    for (const subscription of subscriptions) {
      expect(await gateway.subscribe(socket as unknown as LiveSocket, subscription)).toEqual({ ok: true });
    }
    return socket;
  };
  const publishState = (s: StateMessage) =>
    bus.publish(stateTopic(s.rigId, s.cellId), JSON.stringify(s), { qos: 0 });
  const publishAlert = (a: AlertEvent) =>
    bus.publish(alertsTopic(a.rigId, a.cellId), JSON.stringify(a), { qos: 1 });

  beforeEach(async () => {
    bus = new InProcessBus();
    const metrics = new ApiMetrics();
    feed = new LiveFeed(bus, metrics);
    feed.onModuleInit();
    await feed.ready();
    gateway = new LiveGateway(feed, metrics, AuthPolicy.disabled());
    namespace = new FakeNamespace();
    gateway.server = namespace as unknown as LiveNamespace;
    gateway.afterInit(gateway.server);
  });

  it('maps a cell to the everything, rig and cell rooms', () => {
    expect(roomsOf('rig-01', 'ch-03')).toEqual(['all', 'rig:rig-01', 'cell:rig-01/ch-03']);
  });

  it('delivers state and alerts only to sockets subscribed to them, once each', async () => {
    const everything = await connect({});
    const rig1 = await connect({ rigId: 'rig-01' });
    const cell13 = await connect({ rigId: 'rig-01', cellId: 'ch-03' });
    const both = await connect({ rigId: 'rig-01' }, { rigId: 'rig-01', cellId: 'ch-03' });
    const none = await connect();

    await publishState(state('rig-01', 'ch-03'));
    await publishState(state('rig-01', 'ch-04'));
    await publishState(state('rig-02', 'ch-03'));
    await publishAlert(alert('rig-02', 'ch-03'));
    await publishAlert(alert('rig-01', 'ch-03'));

    const cells = (socket: FakeSocket) =>
      socket.of('state').map((s) => `${(s as StateMessage).rigId}/${(s as StateMessage).cellId}`);
    expect(cells(everything)).toEqual(['rig-01/ch-03', 'rig-01/ch-04', 'rig-02/ch-03']);
    expect(cells(rig1)).toEqual(['rig-01/ch-03', 'rig-01/ch-04']);
    expect(cells(cell13)).toEqual(['rig-01/ch-03']);
    expect(cells(both)).toEqual(['rig-01/ch-03', 'rig-01/ch-04']);
    expect(none.received).toEqual([]);
    expect(everything.of('alert')).toHaveLength(2);
    expect(rig1.of('alert')).toEqual([alert('rig-01', 'ch-03')]);
    expect(cell13.of('alert')).toEqual([alert('rig-01', 'ch-03')]);
  });

  it('sends state volatile (droppable for a slow client) and alerts reliably', async () => {
    const socket = await connect({});
    await publishState(state('rig-01', 'ch-03'));
    await publishAlert(alert('rig-01', 'ch-03'));
    expect(socket.received.map((r) => [r.event, r.volatile])).toEqual([
      ['state', true],
      ['alert', false],
    ]);
  });

  it('stops delivering after unsubscribe', async () => {
    const socket = await connect({ rigId: 'rig-01' });
    await publishState(state('rig-01', 'ch-03', BASE_MS));
    expect(await gateway.unsubscribe(socket as unknown as LiveSocket, { rigId: 'rig-01' })).toEqual({
      ok: true,
    });
    await publishState(state('rig-01', 'ch-03', BASE_MS + 1000));
    expect(socket.of('state')).toHaveLength(1);
  });

  it('answers a bad subscription with what is wrong and joins nothing', async () => {
    const socket = new FakeSocket();
    const reply = await gateway.subscribe(socket as unknown as LiveSocket, { cellId: 'ch-03' });
    expect(reply).toEqual({ ok: false, error: 'cellId: cellId needs rigId' });
    const badId = await gateway.subscribe(socket as unknown as LiveSocket, { rigId: 'rig 01' });
    expect(badId.ok).toBe(false);
    expect(badId.error).toMatch(/^rigId: /);
    expect(socket.rooms.size).toBe(0);
  });

  it('sends a snapshot of the latest matching states on subscribe', async () => {
    await publishState(state('rig-01', 'ch-03', BASE_MS));
    await publishState(state('rig-01', 'ch-03', BASE_MS + 1000));
    await publishState(state('rig-02', 'ch-01', BASE_MS));
    const socket = await connect({ rigId: 'rig-01' });
    expect(socket.of('state')).toEqual([state('rig-01', 'ch-03', BASE_MS + 1000)]);
  });

  it('snapshots only recently heard cells, and forgets cells silent for an hour', async () => {
    let now_ms = 1_000_000;
    feed.now = () => now_ms;
    await publishState(state('rig-01', 'ch-01'));
    now_ms += 11 * 60_000;
    await publishState(state('rig-01', 'ch-02'));
    const socket = await connect({ rigId: 'rig-01' });
    expect(socket.of('state')).toEqual([state('rig-01', 'ch-02')]);
    expect(feed.latestState('rig-01', 'ch-01')).toEqual(state('rig-01', 'ch-01'));
    now_ms += 50 * 60_000;
    feed.forgetSilentCells();
    expect(feed.latestState('rig-01', 'ch-01')).toBeUndefined();
    expect(feed.latestState('rig-01', 'ch-02')).toEqual(state('rig-01', 'ch-02'));
  });

  it('drops invalid messages, messages whose ids disagree with the topic, and late frames', async () => {
    const socket = await connect({});
    await bus.publish(stateTopic('rig-01', 'ch-03'), '{not json', { qos: 0 });
    await bus.publish(stateTopic('rig-01', 'ch-03'), JSON.stringify({ rigId: 'rig-01' }), { qos: 0 });
    await bus.publish(stateTopic('rig-01', 'ch-03'), JSON.stringify(state('rig-01', 'ch-99')), { qos: 0 });
    await bus.publish(
      alertsTopic('rig-01', 'ch-03'),
      JSON.stringify({ ...alert('rig-01', 'ch-03'), kind: 'x' }),
      {
        qos: 1,
      },
    );
    await publishState(state('rig-01', 'ch-03', BASE_MS + 2000));
    await publishState(state('rig-01', 'ch-03', BASE_MS + 1000));
    // A new run (data time jumped back) replaces the old one.
    await publishState(state('rig-01', 'ch-03', BASE_MS, 1));
    expect(socket.of('state')).toEqual([
      state('rig-01', 'ch-03', BASE_MS + 2000),
      state('rig-01', 'ch-03', BASE_MS, 1),
    ]);
    expect(socket.of('alert')).toEqual([]);
  });

  it('sends replay progress to every client', async () => {
    const subscribed = await connect({ rigId: 'rig-01' });
    const idle = await connect();
    const status = {
      id: 'r1',
      rigId: 'rig-01',
      cellId: 'ch-03',
      source: 'simulator:healthy',
      state: 'running' as const,
      speed: 60,
      rowsPublished: 10,
      rowsTotal: null,
      dataTime: BASE_MS,
    };
    gateway.broadcastReplay(status);
    expect(subscribed.of('replay')).toEqual([status]);
    expect(idle.of('replay')).toEqual([status]);
  });

  it('sends batched subscribers one states message per tick, each cell once, and every alert', async () => {
    const everything = await connect({ batch: true });
    const rig = await connect({ rigId: 'rig-01', batch: true });
    const both = await connect({ batch: true }, { rigId: 'rig-01', batch: true });
    const cell = await connect({ rigId: 'rig-02', cellId: 'ch-01', batch: true });
    const plain = await connect({});
    await publishState(state('rig-01', 'ch-01', BASE_MS));
    await publishState(state('rig-01', 'ch-01', BASE_MS + 1000));
    await publishState(state('rig-01', 'ch-02', BASE_MS));
    await publishState(state('rig-02', 'ch-01', BASE_MS));
    await publishState(state('rig-02', 'ch-02', BASE_MS));
    await gateway.flushStates();
    await gateway.flushStates(); // nothing new: nothing sent
    const cells = (socket: FakeSocket) =>
      socket
        .of('states')
        .map((batch) => (batch as StateMessage[]).map((s) => `${s.rigId}/${s.cellId}@${s.ts}`));
    expect(cells(everything)).toEqual([
      [
        `rig-01/ch-01@${BASE_MS + 1000}`,
        `rig-01/ch-02@${BASE_MS}`,
        `rig-02/ch-01@${BASE_MS}`,
        `rig-02/ch-02@${BASE_MS}`,
      ],
    ]);
    expect(cells(rig)).toEqual([[`rig-01/ch-01@${BASE_MS + 1000}`, `rig-01/ch-02@${BASE_MS}`]]);
    expect(cells(both)).toEqual(cells(everything));
    expect(cells(cell)).toEqual([[`rig-02/ch-01@${BASE_MS}`]]);
    for (const socket of [everything, rig, both, cell]) expect(socket.of('state')).toEqual([]);
    expect(plain.of('state')).toHaveLength(5);
    expect(plain.of('states')).toEqual([]);
    await publishAlert(alert('rig-01', 'ch-01'));
    for (const socket of [everything, rig, both, plain]) expect(socket.of('alert')).toHaveLength(1);
    expect(cell.of('alert')).toHaveLength(0);
  });

  it('writes a tick to many batched clients in chunks, relaying an alert that arrives in between', async () => {
    const dashboards = await Promise.all(Array.from({ length: 120 }, () => connect({ batch: true })));
    const watcher = await connect({ rigId: 'rig-01', cellId: 'ch-01', batch: true });
    await publishState(state('rig-01', 'ch-01', BASE_MS));
    const flushed = gateway.flushStates();
    // The first chunk went out synchronously; the alert is relayed before the later chunks.
    await publishAlert(alert('rig-01', 'ch-01'));
    expect(watcher.of('alert')).toHaveLength(1);
    const reached = () => dashboards.filter((socket) => socket.of('states').length === 1).length;
    expect(reached()).toBeLessThan(dashboards.length);
    // A tick due while the flush is still writing waits, so no client gets two ticks out of order.
    await publishState(state('rig-01', 'ch-01', BASE_MS + 1000));
    await gateway.flushStates();
    await flushed;
    expect(reached()).toBe(dashboards.length);
    await gateway.flushStates();
    const times = (socket: FakeSocket) =>
      socket.of('states').map((batch) => (batch as StateMessage[]).map((s) => s.ts));
    for (const socket of dashboards) expect(times(socket)).toEqual([[BASE_MS], [BASE_MS + 1000]]);
    expect(times(watcher)).toEqual([[BASE_MS], [BASE_MS + 1000]]);
  });
});
