import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEventSchema, TOPIC_ROOT, type AlertEvent } from '#contracts';
import { until } from '../ingest/support.js';
import { publishScenario, startStandalone, type Standalone } from '../support/standalone.js';

const RIG = 'rig-r';

/** An HTTP receiver (webhook or Slack-compatible chat) that records every POST. */
class Receiver {
  readonly posts: { key: string | undefined; body: Record<string, unknown> }[] = [];
  private readonly server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      this.posts.push({ key: typeof key === 'string' ? key : undefined, body: JSON.parse(raw) });
      res.writeHead(200).end();
    });
  });
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/**
 * Routing through `npm start` (SANDGLASS_NOTIFY_ROUTES_FILE) against a real webhook and a real chat
 * receiver: which alerts go where, a route's rate limit, the escalation of an unacknowledged critical
 * alert to a second route, and the test-send of a route over REST. A routes file naming a channel that
 * is not configured stops the start.
 */
describe('notification routes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-routes-'));
  const routesFile = path.join(dataDir, 'routes.json');
  const webhook = new Receiver();
  const chat = new Receiver();
  let env: Record<string, string>;
  let app: Standalone | undefined;
  let watcher: mqtt.MqttClient | undefined;
  const events: AlertEvent[] = [];

  beforeAll(async () => {
    env = {
      SANDGLASS_NOTIFY_WEBHOOK_URL: await webhook.listen(),
      SANDGLASS_NOTIFY_WEBHOOK_SECRET: 'webhook-secret-for-the-routes-test',
      SANDGLASS_NOTIFY_CHAT_URL: await chat.listen(),
      SANDGLASS_NOTIFY_ROUTES_FILE: routesFile,
    };
  });

  afterAll(async () => {
    await watcher?.endAsync(true);
    await app?.stop('SIGTERM');
    await webhook.close();
    await chat.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with a route naming a channel that is not configured', async () => {
    writeFileSync(routesFile, JSON.stringify({ routes: [{ name: 'mail', channels: ['email'] }] }));
    await expect(startStandalone(dataDir, env)).rejects.toThrow(
      /SANDGLASS_NOTIFY_ROUTES_FILE=.*route mail: channel email is not configured \(set SANDGLASS_NOTIFY_SMTP_URL\)/,
    );
  }, 90_000);

  it('sends by rig, cell, kind and severity, limits a route, escalates an unacknowledged critical alert', async () => {
    writeFileSync(
      routesFile,
      JSON.stringify({
        routes: [
          { name: 'hard-shorts', match: { rigId: [RIG], kind: ['hard-short'] }, channels: ['webhook'] },
          {
            name: 'c1-critical',
            match: { cellId: ['c1'], minSeverity: 'critical' },
            channels: ['chat'],
            rateLimit: { max: 1, per_s: 3600 },
            escalate: { after_min: 0.05, to: 'pi' },
          },
          { name: 'pi', escalationOnly: true, channels: ['chat'] },
        ],
      }),
    );
    app = await startStandalone(dataDir, env);
    watcher = await mqtt.connectAsync(app.mqttUrl);
    watcher.on('message', (_t, payload) =>
      events.push(AlertEventSchema.parse(JSON.parse(payload.toString()))),
    );
    await watcher.subscribeAsync(`${TOPIC_ROOT}/${RIG}/+/alerts`, { qos: 1 });

    await publishScenario(app, RIG, 'c1', 'hard-short', 21);

    await until(() => events.some((e) => e.kind === 'hard-short'), 'the hard-short alert', 90_000);
    const hard = events.find((e) => e.kind === 'hard-short')!;
    await until(
      () => webhook.posts.some((p) => p.key === `${hard.id}:raised:critical`),
      'the webhook',
      60_000,
    );
    // Escalated after 3 s without an acknowledgement: the chat gets it again through route `pi`.
    await until(
      () =>
        chat.posts.some((p) =>
          String(p.body.text).includes('Not acknowledged after 0.05 min (route c1-critical)'),
        ),
      'the escalation on the chat',
      60_000,
    );
    // The webhook route takes hard shorts only; the chat route critical alerts of c1, at most one an hour.
    expect(webhook.posts.every((p) => p.body.kind === 'hard-short')).toBe(true);
    const history = (await (await fetch(`${app.url}/api/alerts/${hard.id}/notifications`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'webhook', route: 'hard-shorts', state: 'delivered' }),
        expect.objectContaining({ channel: 'chat', route: 'pi', escalation: true, state: 'delivered' }),
      ]),
    );
    const critical = events.filter((e) => e.severity === 'critical' && e.cellId === 'c1');
    const chatSends = chat.posts.filter((p) => !String(p.body.text).includes('Not acknowledged'));
    expect(chatSends).toHaveLength(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    // The run raises a hard short and a soft short, both critical: the second is over the chat route's limit.
    expect(critical.length).toBeGreaterThan(1);
    expect(metrics).toMatch(/sandglass_notify_rate_limited_total [1-9]/);
    expect(metrics).toMatch(/sandglass_notify_escalations_queued_total [1-9]/);
  }, 180_000);

  it('lists the routes and test-sends one over REST', async () => {
    const listed = (await (await fetch(`${app!.url}/api/notify/routes`)).json()) as {
      channels: string[];
      routes: Array<{ name: string }>;
    };
    expect(listed.channels).toEqual(['webhook', 'chat']);
    expect(listed.routes.map((r) => r.name)).toEqual(['hard-shorts', 'c1-critical', 'pi']);
    const before = webhook.posts.length;
    const sent = await fetch(`${app!.url}/api/notify/routes/hard-shorts/test`, { method: 'POST' });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({
      route: 'hard-shorts',
      results: [{ channel: 'webhook', ok: true, status: 200 }],
    });
    expect(webhook.posts.length).toBe(before + 1);
    expect(webhook.posts.at(-1)!.body.message).toMatch(/Test notification of route hard-shorts/);
    expect((await fetch(`${app!.url}/api/notify/routes/nobody/test`, { method: 'POST' })).status).toBe(404);
  }, 60_000);
});
