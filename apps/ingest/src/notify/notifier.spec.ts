import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCellConfig, type AlertEvent } from '#contracts';
import { chatChannel, webhookChannel } from './channels.js';
import { Notifier, type NotifierOptions } from './notifier.js';
import { Outbox } from './outbox.js';
import { alertEvent } from '../../../../test/support/alert-event.js';
import { until as waitUntil } from '../../../../test/support/until.js';

const SECRET = 'a-test-secret-of-some-length';

/** A real HTTP receiver that checks signatures and records what it got; `status` is what it answers. */
class Receiver {
  readonly received: { key: string; body: Record<string, unknown>; signed: boolean }[] = [];
  status = 200;
  private server: http.Server | undefined;
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        const expected = createHmac('sha256', SECRET).update(raw).digest('hex');
        this.received.push({
          key: String(req.headers['idempotency-key']),
          body: JSON.parse(raw) as Record<string, unknown>,
          signed: req.headers['x-sandglass-signature'] === expected,
        });
        res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const alert = (state: AlertEvent['state'], id = 'a1'): AlertEvent => alertEvent({ state, id });

const until = (condition: () => boolean, what: string, timeout_ms = 10_000) =>
  waitUntil(condition, what, timeout_ms, 10);

const quiet = { warn: () => undefined, log: () => undefined };

describe('Notifier (webhook, durable outbox) against a real HTTP receiver', () => {
  let dir: string;
  let receiver: Receiver;
  const notifiers: Notifier[] = [];
  const outboxes: Outbox[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-notify-'));
    receiver = new Receiver();
    await receiver.listen();
  });
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.stop();
    for (const o of outboxes.splice(0)) o.close();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const notifier = (options: Partial<NotifierOptions> = {}) => {
    const outbox = new Outbox(dir);
    outbox.open();
    outboxes.push(outbox);
    const n = new Notifier(
      outbox,
      {
        channels: [webhookChannel(`http://127.0.0.1:${receiver.port}/hook`, SECRET, 2000)],
        dashboardBase: 'http://sg.lab',
        retry: { min_ms: 20, max_ms: 200 },
        giveUp_ms: 60_000,
        ...options,
      },
      quiet,
    );
    n.start();
    notifiers.push(n);
    return { n, outbox };
  };

  it('posts each state change once, signed, with its key, the event at the top level and the cell', async () => {
    const { n } = notifier();
    const config = defaultCellConfig('rig-01', 'ch-03');
    n.offer(alert('raised'), config);
    n.offer(alert('raised'), config); // the same change again: not queued twice
    n.offer(alert('acknowledged'), config);
    n.offer(alert('cleared'), config);
    await until(() => receiver.received.length === 3, 'three deliveries');
    expect(receiver.received.map((r) => r.key).sort()).toEqual([
      'a1:acknowledged',
      'a1:cleared',
      'a1:raised:critical',
    ]);
    expect(receiver.received.every((r) => r.signed)).toBe(true);
    const raised = receiver.received.find((r) => r.key === 'a1:raised:critical')!.body;
    expect(raised).toMatchObject({ ...alert('raised'), dashboardUrl: 'http://sg.lab/#/cell/rig-01/ch-03' });
    expect(raised.cell).toMatchObject({ rigId: 'rig-01', cellId: 'ch-03', electrolyte: 'lp30' });
    await until(() => n.counters.delivered === 3, 'the deliveries recorded');
    expect(n.counters).toMatchObject({ enqueued: 3, duplicates: 1, attemptsFailed: 0 });
    expect(n.history('a1').map((e) => [e.state, e.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('retries with back-off while the receiver is down and delivers once it is back', async () => {
    const port = receiver.port;
    await receiver.close();
    const { n } = notifier();
    n.offer(alert('raised'), undefined);
    await until(() => n.counters.attemptsFailed >= 3, 'a few failed attempts');
    await receiver.listen(port);
    await until(() => n.counters.delivered === 1, 'the delivery');
    const [entry] = n.history('a1');
    expect(entry!.attempts).toBeGreaterThanOrEqual(4);
    expect(entry!.history.at(-1)).toMatchObject({ ok: true, status: 200 });
    expect(entry!.history[0]).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    // Back-off: the gaps between attempts grow (20 ms doubling, capped at 200 ms, each at least half its step).
    const at = entry!.history.map((a) => a.at);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(10 + 20 + 40);
    expect(receiver.received.map((r) => r.key)).toEqual(['a1:raised:critical']);
  });

  it('keeps undelivered notifications across a restart and sends them from the new process', async () => {
    const port = receiver.port;
    await receiver.close();
    const first = notifier();
    first.n.offer(alert('raised', 'a1'), undefined);
    first.n.offer(alert('raised', 'a2'), undefined);
    await until(() => first.n.counters.attemptsFailed >= 2, 'failed attempts');
    await first.n.stop();
    first.outbox.close();

    await receiver.listen(port);
    const second = notifier();
    await until(() => second.n.counters.delivered === 2, 'the pending notifications of the last run');
    expect(receiver.received.map((r) => r.key).sort()).toEqual(['a1:raised:critical', 'a2:raised:critical']);
    expect(second.n.pendingCount()).toBe(0);
  });

  it('records a silenced state change without sending it', async () => {
    const silence = {
      id: 's1',
      createdAt: 0,
      endsAt: Date.now() + 60_000,
      matchers: { kind: 'hard-short' as const },
    };
    const { n } = notifier({
      silences: { matching: (a) => (a.kind === 'hard-short' ? silence : undefined) },
    });
    n.offer(alert('raised'), undefined);
    n.offer({ ...alert('raised', 'b1'), kind: 'soft-short' }, undefined);
    await until(() => receiver.received.length === 1, 'the unsilenced notification');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.map((r) => r.key)).toEqual(['b1:raised:critical']);
    expect(n.history('a1')).toMatchObject([{ state: 'silenced', silencedBy: 's1', attempts: 0 }]);
    expect(n.counters.silenced).toBe(1);
    expect(n.undelivered()).toEqual([]);
  });

  it('gives up after the limit, counts it and keeps it visible', async () => {
    receiver.status = 500;
    const { n } = notifier({ giveUp_ms: 100 });
    n.offer(alert('raised'), undefined);
    await until(() => n.counters.givenUp === 1, 'giving up');
    const [entry] = n.undelivered();
    expect(entry).toMatchObject({ state: 'given-up', key: 'a1:raised:critical' });
    expect(entry!.history.at(-1)).toMatchObject({ ok: false, status: 500 });
    expect(n.pendingCount()).toBe(0);
  });

  describe('with routes', () => {
    const routes = (escalateAfter_min: number): NonNullable<NotifierOptions['routes']> => [
      {
        name: 'night',
        match: { minSeverity: 'critical' },
        channels: ['webhook'],
        escalationOnly: false,
        rateLimit: { max: 2, per_s: 3600 },
        escalate: { after_min: escalateAfter_min, to: 'pi' },
      },
      { name: 'pi', match: {}, channels: ['webhook'], escalationOnly: true },
    ];

    it('sends a critical alert again to the second route when it is not acknowledged in time', async () => {
      const { n } = notifier({ routes: routes(0.001) }); // 60 ms
      n.offer(alert('raised'), undefined);
      await until(() => n.counters.delivered === 2, 'the alert and its escalation');
      const escalation = receiver.received.find((r) => r.key === 'a1:unacknowledged')!;
      expect(escalation.body).toMatchObject({ id: 'a1', state: 'raised', severity: 'critical' });
      expect(escalation.body.message).toMatch(
        /^Not acknowledged after 0\.001 min \(route night\): \|V\| 0\.2 mV while 1\.1 mA flows$/,
      );
      expect(n.history('a1').map((e) => [e.route, e.escalation ?? false, e.state])).toEqual([
        ['night', false, 'delivered'],
        ['pi', true, 'delivered'],
      ]);
      expect(n.counters.escalationsQueued).toBe(1);
    });

    it('does not escalate an alert acknowledged in time', async () => {
      const { n } = notifier({ routes: routes(0.02) }); // 1.2 s
      n.offer(alert('raised'), undefined);
      n.offer(alert('acknowledged'), undefined);
      await until(() => n.counters.delivered === 2, 'the alert and its acknowledgement');
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.received.map((r) => r.key).sort()).toEqual(['a1:acknowledged', 'a1:raised:critical']);
      expect(n.history('a1').find((e) => e.escalation)).toMatchObject({ state: 'cancelled', route: 'pi' });
      expect(n.counters).toMatchObject({ escalationsQueued: 1, escalationsCancelled: 1 });
      expect(n.undelivered()).toEqual([]);
    });

    it("records what is over the route's rate limit without sending it; a warning matches no route", async () => {
      const { n } = notifier({ routes: routes(60) });
      n.offer({ ...alert('raised', 'w1'), severity: 'warning' }, undefined);
      for (const id of ['a1', 'a2', 'a3']) n.offer(alert('cleared', id), undefined);
      await until(() => n.counters.delivered === 2, 'two deliveries');
      await new Promise((r) => setTimeout(r, 100));
      expect(receiver.received.map((r) => r.key)).toEqual(['a1:cleared', 'a2:cleared']);
      expect(n.history('a3')).toMatchObject([{ state: 'rate-limited', route: 'night', attempts: 0 }]);
      expect(n.history('w1')).toEqual([]);
      expect(n.counters.rateLimited).toBe(1);
    });

    it('test-sends on every channel of a route and answers each result', async () => {
      const { n } = notifier({ routes: routes(60) });
      expect(await n.testSend('pi')).toEqual([{ channel: 'webhook', ok: true, status: 200 }]);
      expect(receiver.received[0]!.key).toMatch(/^test-.*:test$/);
      expect(receiver.received[0]!.body.message).toMatch(/Test notification of route pi/);
      receiver.status = 503;
      expect(await n.testSend('night')).toEqual([{ channel: 'webhook', ok: false, status: 503 }]);
      expect(await n.testSend('nobody')).toBeUndefined();
      expect(n.counters.testSends).toBe(2);
      expect(n.undelivered()).toEqual([]);
    });

    it('groups the state changes of one rig within the window into one chat message', async () => {
      const { n } = notifier({
        channels: [chatChannel(`http://127.0.0.1:${receiver.port}/chat`, 2000)],
        routes: [{ name: 'lab', match: {}, channels: ['chat'], escalationOnly: false, group_s: 0.5 }],
      });
      n.offer(alert('raised', 'a1'), undefined);
      n.offer({ ...alert('raised', 'a2'), kind: 'soft-short' }, undefined);
      n.offer(alert('raised', 'a1'), undefined); // a repeat: not added twice
      n.offer({ ...alert('raised', 'b1'), rigId: 'rig-02' }, undefined);
      await until(() => n.counters.delivered === 2, 'two grouped messages');
      const texts = receiver.received.map((r) => String(r.body.text)).sort();
      expect(texts[1]).toMatch(
        /^2 alert state changes on rig-01: CRITICAL hard short .*; CRITICAL soft short/,
      );
      expect(texts[0]).toMatch(/^1 alert state changes on rig-02/);
      const rig01 = receiver.received.find((r) => String(r.body.text).includes('rig-01'))!;
      expect(rig01.body.blocks).toHaveLength(3);
      expect(n.history('a2')).toMatchObject([
        { state: 'delivered', route: 'lab', key: 'group:lab:a1:raised:critical' },
      ]);
      expect(n.counters).toMatchObject({ grouped: 1, duplicates: 1, enqueued: 2 });
    });
  });
});
