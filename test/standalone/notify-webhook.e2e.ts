import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEventSchema, TOPIC_ROOT, telemetryTopic, type AlertEvent } from '#contracts';
import { simulateScenario } from '#simulator';
import { startStandalone, type Standalone } from '../support/standalone.js';
import { until } from '../support/until.js';

/** How long to wait for anything here: a loaded machine runs the whole standalone slowly. */
const WAIT_MS = 90_000;

const SECRET = 'webhook-secret-for-the-e2e-test';
const RIG = 'rig-n';

/** A webhook receiver as a lab would run one: checks the signature, counts idempotency keys. */
class Receiver {
  readonly posts: { key: string; body: Record<string, unknown>; signed: boolean }[] = [];
  private server: http.Server | undefined;
  port = 0;
  async listen(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        this.posts.push({
          key: String(req.headers['idempotency-key']),
          body: JSON.parse(raw) as Record<string, unknown>,
          signed:
            req.headers['x-sandglass-signature'] === createHmac('sha256', SECRET).update(raw).digest('hex'),
        });
        res.writeHead(204).end();
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
    await new Promise((r) => server.close(r));
  }
  keys(): Set<string> {
    return new Set(this.posts.map((p) => p.key));
  }
}

/** What a receiver should see for an event: one key per alert state change (escalations included). */
const keyOf = (a: AlertEvent) =>
  a.state === 'raised' ? `${a.id}:raised:${a.severity}` : `${a.id}:${a.state}`;

/**
 * Webhook notifications through `npm start` (embedded broker and store, auth off): every alert state
 * change of a simulated hard-short run reaches a real HTTP receiver, signed, with its idempotency key;
 * then, with the receiver down, the notifications wait in the outbox (visible over REST and /metrics),
 * survive a restart of Sandglass, and arrive once the receiver is back — one distinct key per state change.
 */
describe('webhook notifications with a durable outbox', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-notify-'));
  const receiver = new Receiver();
  let app: Standalone | undefined;
  let watcher: mqtt.MqttClient | undefined;
  const events: AlertEvent[] = [];

  const start = async () => {
    app = await startStandalone(dataDir, {
      SANDGLASS_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hook`,
      SANDGLASS_NOTIFY_WEBHOOK_SECRET: SECRET,
      SANDGLASS_NOTIFY_RETRY_MIN_MS: '200',
      SANDGLASS_NOTIFY_RETRY_MAX_MS: '2000',
      SANDGLASS_PUBLIC_URL: 'https://sandglass.lab.example',
    });
    watcher = await mqtt.connectAsync(app.mqttUrl);
    watcher.on('message', (_t, payload) =>
      events.push(AlertEventSchema.parse(JSON.parse(payload.toString()))),
    );
    await watcher.subscribeAsync(`${TOPIC_ROOT}/${RIG}/+/alerts`, { qos: 1 });
  };
  const stop = async () => {
    await watcher?.endAsync(true);
    await app?.stop('SIGTERM');
  };
  const publishRun = async (cellId: string, seed: number) => {
    const run = simulateScenario({ scenario: 'hard-short', seed });
    const { rigId: _r, cellId: _c, ...body } = run.config;
    const put = await fetch(`${app!.url}/api/cells/${RIG}/${cellId}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(put.status, await put.text()).toBe(200);
    const rig = await mqtt.connectAsync(app!.mqttUrl);
    const samples = [...run.samples()];
    const start_ms = Date.now() - samples.at(-1)!.time_s * 1000 - 1000;
    for (let k = 0; k < samples.length; k += 100) {
      const batch = samples.slice(k, k + 100).map((s, j) => ({
        ts: start_ms + s.time_s * 1000,
        v: s.v,
        i: s.i,
        seq: k + j,
      }));
      await rig.publishAsync(telemetryTopic(RIG, cellId), JSON.stringify(batch), { qos: 1 });
    }
    await rig.endAsync();
  };
  const get = async (route: string) => (await fetch(`${app!.url}${route}`)).json() as Promise<unknown>;

  beforeAll(async () => {
    await receiver.listen();
    await start();
  }, 90_000);

  afterAll(async () => {
    await stop();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('posts every alert state change, signed, as the alert event plus dashboardUrl and cell', async () => {
    await publishRun('c1', 11);
    await until(() => events.some((e) => e.kind === 'hard-short'), 'the hard-short alert', WAIT_MS);
    const hard = events.find((e) => e.kind === 'hard-short')!;
    // The api acknowledges alerts it finds in the store (ingest stores them just after publishing).
    await until(
      async () => {
        const stored = (await get(`/api/alerts?rigId=${RIG}&cellId=c1`)) as AlertEvent[];
        return stored.some((a) => a.id === hard.id);
      },
      'the alert in the store',
      WAIT_MS,
    );
    const ack = await fetch(`${app!.url}/api/alerts/${hard.id}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ acknowledgedBy: 'night-shift' }),
    });
    expect(ack.status).toBe(200);
    await until(() => events.some((e) => e.state === 'acknowledged'), 'the acknowledgement on MQTT', WAIT_MS);
    await until(
      () => events.every((e) => receiver.keys().has(keyOf(e))),
      'a webhook for every alert event seen on MQTT',
      WAIT_MS,
    );
    expect(receiver.posts.every((p) => p.signed)).toBe(true);
    expect(receiver.keys().has(`${hard.id}:acknowledged`)).toBe(true);
    const post = receiver.posts.find((p) => p.key === keyOf(hard))!;
    expect(post.body).toMatchObject({
      ...hard,
      dashboardUrl: `https://sandglass.lab.example/#/cell/${RIG}/c1`,
      cell: { rigId: RIG, cellId: 'c1', cellType: 'symmetric' },
    });
    const history = (await get(`/api/alerts/${hard.id}/notifications`)) as Array<Record<string, unknown>>;
    expect(history.map((h) => [h.channel, h.state])).toContainEqual(['webhook', 'delivered']);
  }, 120_000);

  it('keeps notifications through a receiver outage and a restart of Sandglass; one key per state change', async () => {
    const port = receiver.port;
    await receiver.close();
    const before = events.length;
    await publishRun('c2', 12);
    await until(
      () => events.slice(before).some((e) => e.kind === 'hard-short'),
      'the second hard short',
      WAIT_MS,
    );
    const expected = new Set(events.map(keyOf));
    await until(
      async () => {
        const outbox = (await get('/api/notify/outbox')) as { pending: number };
        return outbox.pending >= expected.size - receiver.keys().size;
      },
      'the undelivered notifications in the outbox',
      WAIT_MS,
    );
    const metrics = await (await fetch(`${app!.url}/metrics`)).text();
    expect(metrics).toMatch(/sandglass_notify_attempts_failed_total [1-9]/);
    expect(metrics).toMatch(/sandglass_notify_pending [1-9]/);

    await stop();
    await start();
    // Down a little longer, then back on the same address.
    await new Promise((r) => setTimeout(r, 5000));
    await receiver.listen(port);
    await until(
      () => [...expected].every((k) => receiver.keys().has(k)),
      'every notification after the outage',
      WAIT_MS,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect([...receiver.keys()].sort()).toEqual([...expected].sort());
    const outbox = (await get('/api/notify/outbox')) as { pending: number; givenUp: number };
    expect(outbox).toMatchObject({ pending: 0, givenUp: 0 });
    const second = events.slice(before).find((e) => e.kind === 'hard-short')!;
    const history = (await get(`/api/alerts/${second.id}/notifications`)) as Array<{
      state: string;
      attempts: number;
    }>;
    expect(history[0]).toMatchObject({ state: 'delivered' });
    expect(history[0]!.attempts).toBeGreaterThan(1);
  }, 180_000);

  it('sends nothing for a silenced cell until the silence is removed (REST /api/silences)', async () => {
    const post = (body: unknown) =>
      fetch(`${app!.url}/api/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await post({ matchers: { kind: 'fire' }, endsAt: Date.now() + 60_000 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/matchers\.kind/);
    expect((await post({ matchers: {}, endsAt: Date.now() - 1 })).status).toBe(400);
    const created = await post({
      matchers: { rigId: RIG, cellId: 'c3' },
      endsAt: Date.now() + 600_000,
      comment: 'swap',
    });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string };
    expect(((await get('/api/silences')) as Array<{ id: string }>).map((s) => s.id)).toEqual([silence.id]);

    const before = events.length;
    await publishRun('c3', 13);
    await until(
      () => events.slice(before).some((e) => e.kind === 'hard-short'),
      'the silenced cell alert',
      WAIT_MS,
    );
    const hard = events.slice(before).find((e) => e.kind === 'hard-short')!;
    await until(
      async () => {
        const history = (await get(`/api/alerts/${hard.id}/notifications`)) as Array<{ state: string }>;
        return history.length > 0;
      },
      'the silenced notification in the history',
      WAIT_MS,
    );
    const history = (await get(`/api/alerts/${hard.id}/notifications`)) as Array<Record<string, unknown>>;
    expect(history[0]).toMatchObject({ channel: 'webhook', state: 'silenced', silencedBy: silence.id });
    expect(receiver.posts.some((p) => p.body.cellId === 'c3')).toBe(false);
    expect(await (await fetch(`${app!.url}/metrics`)).text()).toMatch(
      /sandglass_notify_silenced_total [1-9]/,
    );

    const removed = await fetch(`${app!.url}/api/silences/${silence.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(await get('/api/silences')).toEqual([]);
    expect((await fetch(`${app!.url}/api/silences/${silence.id}`, { method: 'DELETE' })).status).toBe(404);
  }, 120_000);
});
