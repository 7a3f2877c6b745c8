import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  type CellConfig,
  type StateMessage,
  alertsTopic,
  configTopic,
  parseEnvironment,
  stateTopic,
} from '#contracts';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { type RunningApi, startApi, LiveFeed } from '#api';
import { describeWithServices, testServices } from '../support/services.js';
import { RecordingClient } from './live-client.js';

const RUN = Math.random().toString(36).slice(2, 8);
const RIG_A = `e2e-${RUN}-a`;
const RIG_B = `e2e-${RUN}-b`;
const BASE_MS = Date.UTC(2026, 0, 1, 12);

function state(rigId: string, cellId: string, ts: number, extra: Partial<StateMessage> = {}): StateMessage {
  return {
    rigId,
    cellId,
    ts,
    v: 0.012,
    i: 0.00113,
    t: 25,
    p: 5,
    risk: 'ok',
    levels: {},
    estimates: { depletionFraction: 0.1 },
    samples: 10,
    run: 0,
    ...extra,
  };
}

function alert(rigId: string, cellId: string, id: string): AlertEvent {
  return {
    id,
    ts: BASE_MS + 5000,
    rigId,
    cellId,
    kind: 'sand-depletion',
    severity: 'warning',
    state: 'raised',
    source: 'physics',
    message: 'Li+ depletion at the plating electrode in ~4 min (J/J* = 1.8)',
    evidence: { depletionFraction: 0.78, timeToDepletion_s: 240, jOverJstar: 1.8 },
    emittedAt: Date.now(),
  };
}

describeWithServices('api e2e (real Mosquitto, real InfluxDB, socket.io-client)', () => {
  let api: RunningApi;
  let store: TelemetryStore;
  let rig: MqttClient;
  let dashboardDir: string;
  const clients: RecordingClient[] = [];

  const http = async (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(api.url + route, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      json: json as Record<string, unknown> & unknown[],
      text,
      headers: response.headers,
    };
  };
  const client = async (...subscriptions: Array<Record<string, unknown>>): Promise<RecordingClient> => {
    const c = new RecordingClient(api.url);
    clients.push(c);
    await c.connected();
    for (const s of subscriptions) expect(await c.subscribe(s)).toEqual({ ok: true });
    return c;
  };
  /** Publishes as ingest does: state QoS 0, alerts QoS 1. */
  const publishState = (s: StateMessage) =>
    rig.publishAsync(stateTopic(s.rigId, s.cellId), JSON.stringify(s), { qos: 0 });
  const publishAlert = (a: AlertEvent) =>
    rig.publishAsync(alertsTopic(a.rigId, a.cellId), JSON.stringify(a), { qos: 1 });

  beforeAll(async () => {
    const services = testServices();
    dashboardDir = mkdtempSync(path.join(tmpdir(), 'sandglass-dashboard-'));
    writeFileSync(
      path.join(dashboardDir, 'index.html'),
      '<!doctype html><title>Sandglass</title><div id="app"></div>',
    );
    writeFileSync(path.join(dashboardDir, 'app.js'), 'console.log("sandglass")');
    const env = parseEnvironment({
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      // Authentication (issue 8) has tests of its own; these exercise the api itself.
      SANDGLASS_AUTH: 'off',
      SANDGLASS_MQTT_URL: services.mqttUrl,
      SANDGLASS_INFLUX_URL: services.influxUrl,
      SANDGLASS_INFLUX_DB: `sandglass_api_e2e_${RUN}`,
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    api = await startApi(env, { dashboardDir });
    store = api.app.get<TelemetryStore>(TELEMETRY_STORE);
    await api.app.get(LiveFeed).ready();
    rig = await mqtt.connectAsync(services.mqttUrl, { clientId: `e2e-rig-${RUN}` });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    // Clear the retained configuration left on the broker.
    await rig?.publishAsync(configTopic(RIG_A, 'ch-01'), '', { qos: 1, retain: true });
    await rig?.endAsync();
    await api?.close();
    if (dashboardDir) rmSync(dashboardDir, { recursive: true, force: true });
  });

  it('reports the store and the broker healthy', async () => {
    const health = await http('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', checks: { store: { ok: true }, broker: { ok: true } } });
  });

  describe('cell configuration', () => {
    const body = {
      cellType: 'symmetric',
      electrodeArea_cm2: 1.13,
      electrolyte: {
        kind: 'liquid',
        diffusivity_cm2_s: 3.0e-6,
        concentration_mol_L: 1.0,
        cationTransference: 0.38,
        gap_um: 25,
      },
      stack: { nominalPressure_MPa: 5 },
    };

    it('stores it, publishes it retained on the config topic, and returns derived numbers', async () => {
      const put = await http('PUT', `/api/cells/${RIG_A}/ch-01/config`, body);
      expect(put.status).toBe(200);
      const expected: CellConfig = { ...body, rigId: RIG_A, cellId: 'ch-01', thresholds: {} } as CellConfig;
      expect(put.json.config).toEqual(expected);

      // J* = 2 F c0 D / (t_a L) (PHYSICS.md §1): 2 × 96485.33 × 1000 mol/m³ × 3e-10 m²/s / (0.62 × 25e-6 m)
      // = 3735 A/m² = 373.5 mA/cm², times 1.13 cm² = 422 mA.
      const get = await http('GET', `/api/cells/${RIG_A}/ch-01/config`);
      expect(get.status).toBe(200);
      expect(get.json.config).toEqual(expected);
      expect(get.json.configured).toBe(true);
      const derived = get.json.derived as Record<string, number>;
      expect(derived.limitingCurrentDensity_mA_cm2).toBeCloseTo(373.5, 0);
      expect(derived.limitingCurrent_mA).toBeCloseTo(373.5 * 1.13, -1);
      expect(await store.getCellConfig({ rigId: RIG_A, cellId: 'ch-01' })).toEqual(expected);

      // A late subscriber (an ingest process starting now) still gets the configuration: it is retained.
      const late = await mqtt.connectAsync(testServices().mqttUrl, { clientId: `e2e-late-${RUN}` });
      try {
        const message = new Promise<string>((resolve) =>
          late.on('message', (_topic, payload) => resolve(payload.toString())),
        );
        await late.subscribeAsync(configTopic(RIG_A, 'ch-01'), { qos: 1 });
        expect(JSON.parse(await message)).toEqual(expected);
      } finally {
        await late.endAsync();
      }
    });

    it('answers an unconfigured cell with the default configuration', async () => {
      const get = await http('GET', `/api/cells/${RIG_A}/never-configured/config`);
      expect(get.status).toBe(200);
      expect(get.json.configured).toBe(false);
      expect((get.json.config as CellConfig).electrolyte).toEqual({ preset: 'lp30', gap_um: 25 });
    });

    it('rejects a bad body with 400 naming what is wrong, and changes nothing', async () => {
      const bad = await http('PUT', `/api/cells/${RIG_A}/ch-01/config`, {
        ...body,
        electrodeArea_cm2: 0,
        electrolyte: { kind: 'liquid', diffusivity_cm2_s: 3e-6 },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toMatch(/^invalid cell configuration/);
      expect(bad.json.issues).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^electrodeArea_cm2: /),
          'electrolyte.gap_um: gap_um is required for a liquid electrolyte',
        ]),
      );
      const get = await http('GET', `/api/cells/${RIG_A}/ch-01/config`);
      expect((get.json.config as CellConfig).electrodeArea_cm2).toBe(1.13);

      const notJson = await http('PUT', `/api/cells/${RIG_A}/ch-01/config`, '{"electrodeArea_cm2": ');
      expect(notJson.status).toBe(400);
      expect(typeof notJson.json.message).toBe('string');

      const badId = await http('PUT', `/api/cells/${encodeURIComponent('rig a')}/ch-01/config`, body);
      expect(badId.status).toBe(400);
      expect(badId.json.issues).toEqual([expect.stringMatching(/must be 1–64/)]);
    });
  });

  describe('live stream', () => {
    it('delivers state to the everything, rig and cell rooms only', async () => {
      const everything = await client({});
      const rigA = await client({ rigId: RIG_A });
      const cellA2 = await client({ rigId: RIG_A, cellId: 'ch-02' });

      // Published in this order, so when the last wanted frame has arrived every earlier one has too.
      await publishState(state(RIG_B, 'ch-01', BASE_MS));
      await publishState(state(RIG_A, 'ch-01', BASE_MS));
      await publishState(state(RIG_A, 'ch-02', BASE_MS));

      const isA2 = (s: StateMessage) => s.rigId === RIG_A && s.cellId === 'ch-02';
      await Promise.all([
        everything.next('state', isA2),
        rigA.next('state', isA2),
        cellA2.next('state', isA2),
      ]);
      const cells = (c: RecordingClient) =>
        c
          .of('state')
          .filter((s) => s.rigId.startsWith(`e2e-${RUN}`))
          .map((s) => `${s.rigId}/${s.cellId}`);
      expect(cells(everything)).toEqual([`${RIG_B}/ch-01`, `${RIG_A}/ch-01`, `${RIG_A}/ch-02`]);
      expect(cells(rigA)).toEqual([`${RIG_A}/ch-01`, `${RIG_A}/ch-02`]);
      expect(cells(cellA2)).toEqual([`${RIG_A}/ch-02`]);
      expect((await everything.next('state', isA2)).estimates).toEqual({ depletionFraction: 0.1 });
    });

    it('lists cells seen live with their latest state, and 404s an unknown one', async () => {
      const list = await http('GET', '/api/cells');
      expect(list.status).toBe(200);
      const a1 = (list.json as Array<{ rigId: string; cellId: string; configured: boolean }>).find(
        (c) => c.rigId === RIG_A && c.cellId === 'ch-01',
      );
      expect(a1).toMatchObject({ configured: true, state: { ts: BASE_MS } });
      const one = await http('GET', `/api/cells/${RIG_A}/ch-02`);
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject({
        rigId: RIG_A,
        cellId: 'ch-02',
        configured: false,
        state: { ts: BASE_MS },
      });
      const unknown = await http('GET', `/api/cells/${RIG_A}/nope`);
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ message: `unknown cell ${RIG_A}/nope` });
    });

    it('sends a new subscriber the latest state of its cells at once', async () => {
      const late = await client({ rigId: RIG_A, cellId: 'ch-01' });
      expect(late.of('state').map((s) => s.ts)).toEqual([BASE_MS]);
    });

    it('answers a bad subscription with the problem', async () => {
      const c = await client();
      expect(await c.subscribe({ cellId: 'ch-01' })).toEqual({
        ok: false,
        error: 'cellId: cellId needs rigId',
      });
    });

    it('raises an alert, acknowledges it over REST, and every subscriber sees the acknowledgement', async () => {
      const rigA = await client({ rigId: RIG_A });
      const cellA3 = await client({ rigId: RIG_A, cellId: 'ch-03' });
      const otherRig = await client({ rigId: RIG_B });

      // As ingest does: store the alert, then publish it.
      const raised = alert(RIG_A, 'ch-03', `${RUN}-sand-1`);
      await store.writeAlerts([raised]);
      await publishAlert(raised);
      expect(await rigA.next('alert', (a) => a.id === raised.id)).toEqual(raised);
      expect(await cellA3.next('alert', (a) => a.id === raised.id)).toEqual(raised);

      const listed = await http('GET', `/api/alerts?rigId=${RIG_A}&state=raised`);
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual([raised]);

      const ack = await http('POST', `/api/alerts/${raised.id}/ack`, { acknowledgedBy: 'e2e-operator' });
      expect(ack.status).toBe(200);
      expect(ack.json).toMatchObject({
        id: raised.id,
        ts: raised.ts,
        state: 'acknowledged',
        acknowledgedBy: 'e2e-operator',
        kind: 'sand-depletion',
      });
      const seen = await rigA.next('alert', (a) => a.id === raised.id && a.state === 'acknowledged');
      expect(seen).toEqual(ack.json);
      await cellA3.next('alert', (a) => a.id === raised.id && a.state === 'acknowledged');

      const acknowledged = await http('GET', `/api/alerts?rigId=${RIG_A}&cellId=ch-03`);
      expect(acknowledged.json).toEqual([ack.json]);
      expect((await http('GET', `/api/alerts?rigId=${RIG_A}&state=raised`)).json).toEqual([]);

      // Acknowledging again changes nothing.
      const again = await http('POST', `/api/alerts/${raised.id}/ack`);
      expect(again.status).toBe(200);
      expect(again.json).toEqual(ack.json);

      // The other rig's subscriber heard nothing of it: a message for it published after arrives alone.
      const bAlert = alert(RIG_B, 'ch-01', `${RUN}-b-1`);
      await publishAlert(bAlert);
      await otherRig.next('alert', (a) => a.id === bAlert.id);
      expect(otherRig.of('alert')).toEqual([bAlert]);
    });

    it('refuses to acknowledge a cleared alert and 404s an unknown id', async () => {
      const cleared = { ...alert(RIG_A, 'ch-04', `${RUN}-cleared`), state: 'cleared' as const };
      await store.writeAlerts([cleared]);
      const conflict = await http('POST', `/api/alerts/${cleared.id}/ack`, {});
      expect(conflict.status).toBe(409);
      expect(conflict.json).toEqual({ message: `alert ${cleared.id} is already cleared` });
      const unknown = await http('POST', `/api/alerts/${RUN}-no-such-alert/ack`, {});
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ message: `unknown alert ${RUN}-no-such-alert` });
    });
  });

  it('validates alert and telemetry queries', async () => {
    const badState = await http('GET', '/api/alerts?state=open');
    expect(badState.status).toBe(400);
    expect(badState.json.issues).toEqual([expect.stringMatching(/^state: /)]);
    const badSince = await http('GET', '/api/alerts?since=yesterday');
    expect(badSince.status).toBe(400);
    const badEvery = await http('GET', `/api/cells/${RIG_A}/ch-01/telemetry?every=10 seconds`);
    expect(badEvery.status).toBe(400);
    expect(badEvery.json.issues).toEqual(['every: every must look like 10s, 500ms, 5m']);
    const backwards = await http('GET', `/api/cells/${RIG_A}/ch-01/telemetry?from=2000&to=1000`);
    expect(backwards.status).toBe(400);
  });

  it('returns stored history, raw and downsampled', async () => {
    const samples = Array.from({ length: 20 }, (_, k) => ({
      rigId: RIG_A,
      cellId: 'ch-05',
      ts: BASE_MS + k * 1000,
      v: 0.01 + k * 0.001,
      i: 0.001,
    }));
    await store.writeSamples(samples);
    const raw = await http(
      'GET',
      `/api/cells/${RIG_A}/ch-05/telemetry?from=${BASE_MS}&to=${BASE_MS + 60_000}`,
    );
    expect(raw.status).toBe(200);
    expect((raw.json as Array<{ ts: number }>).map((p) => p.ts)).toEqual(samples.map((s) => s.ts));
    const limited = await http('GET', `/api/cells/${RIG_A}/ch-05/telemetry?limit=5`);
    expect(limited.json).toHaveLength(5);
    const coarse = await http(
      'GET',
      `/api/cells/${RIG_A}/ch-05/telemetry?from=${BASE_MS}&to=${BASE_MS + 19_999}&every=10s`,
    );
    const points = coarse.json as Array<{ ts: number; v: number }>;
    expect(points).toHaveLength(2);
    expect(points[0]!.v).toBeCloseTo(0.0145, 6);
  });

  it('answers replays with 501 when no runner is registered, and validates the request first', async () => {
    const request = {
      source: { kind: 'simulator', scenario: 'healthy' },
      rigId: RIG_A,
      cellId: 'ch-09',
      speed: 100,
    };
    const start = await http('POST', '/api/replays', request);
    expect(start.status).toBe(501);
    expect(start.json).toEqual({ message: 'replay runner not available in this process' });
    const bad = await http('POST', '/api/replays', { ...request, speed: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([expect.stringMatching(/^speed: /)]);
    expect((await http('GET', '/api/replays')).json).toEqual([]);
    expect((await http('DELETE', '/api/replays/r1')).status).toBe(501);
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await http('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /sandglass_api_mqtt_messages_total\{channel="state",outcome="accepted"\} [1-9]/,
    );
    expect(metrics.text).toContain('sandglass_api_http_request_duration_seconds_bucket');
    const doc = await http('GET', '/api/docs/json');
    expect(doc.status).toBe(200);
    const paths = Object.keys((doc.json as unknown as { paths: object }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/health',
        '/api/cells',
        '/api/cells/{rigId}/{cellId}',
        '/api/cells/{rigId}/{cellId}/config',
        '/api/cells/{rigId}/{cellId}/telemetry',
        '/api/alerts',
        '/api/alerts/{id}/ack',
        '/api/replays',
        '/api/replays/{id}',
      ]),
    );
    const ui = await http('GET', '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('serves the dashboard at / with a fallback for app routes, never for api paths', async () => {
    const html = { accept: 'text/html' };
    const root = await http('GET', '/', undefined, html);
    expect(root.status).toBe(200);
    expect(root.text).toContain('<title>Sandglass</title>');
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(root.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Plain http on a lab network must keep working.
    expect(root.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect((await http('GET', `/cells/${RIG_A}/ch-01`, undefined, html)).text).toContain(
      '<title>Sandglass</title>',
    );
    expect((await http('GET', '/app.js')).text).toContain('sandglass');
    const missingApi = await http('GET', '/api/nope', undefined, html);
    expect(missingApi.status).toBe(404);
    expect(missingApi.json).toEqual({ message: 'Cannot GET /api/nope' });
    expect((await http('GET', '/assets/missing.js')).status).toBe(404);
  });
});

describe('api without a broker', () => {
  it('starts degraded and reports the broker down', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-api-nobroker-'));
    const api = await startApi(
      parseEnvironment({
        SANDGLASS_HTTP_PORT: '0',
        SANDGLASS_HTTP_HOST: '127.0.0.1',
        // Authentication (issue 8) has tests of its own; these exercise the api itself.
        SANDGLASS_AUTH: 'off',
        // Nothing listens on port 1 of localhost.
        SANDGLASS_MQTT_URL: 'mqtt://127.0.0.1:1',
        SANDGLASS_DATA_DIR: dir,
        SANDGLASS_LOG_LEVEL: 'error',
      }),
      { dashboardDir: dir },
    );
    try {
      const response = await fetch(api.url + '/api/health');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: 'degraded',
        checks: { store: { ok: true }, broker: { ok: false, detail: 'not connected' } },
      });
      const put = await fetch(api.url + '/api/cells/r/c/config', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ electrodeArea_cm2: 1, electrolyte: { preset: 'lp30' } }),
      });
      expect(put.status).toBe(503);
      expect(await put.json()).toEqual({ message: 'broker unavailable; configuration not changed' });
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('api without its store', () => {
  it('answers 503 with the store as the reason, not a bare 500', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-api-nostore-'));
    // A port that was just free and is closed again: InfluxDB "down", connections refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const api = await startApi(
      parseEnvironment({
        SANDGLASS_HTTP_PORT: '0',
        SANDGLASS_HTTP_HOST: '127.0.0.1',
        SANDGLASS_AUTH: 'off',
        SANDGLASS_MQTT_URL: 'mqtt://127.0.0.1:1',
        SANDGLASS_INFLUX_URL: `http://127.0.0.1:${closedPort}`,
        SANDGLASS_DATA_DIR: dir,
        SANDGLASS_LOG_LEVEL: 'error',
      }),
      { dashboardDir: dir },
    );
    try {
      for (const route of ['/api/cells', '/api/cells/r/c/telemetry?every=10s', '/api/cells/r/c/cycles']) {
        const response = await fetch(api.url + route);
        expect(response.status, route).toBe(503);
        const body = (await response.json()) as { message: string };
        expect(body.message, route).toMatch(/^store unavailable: .+/);
      }
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
