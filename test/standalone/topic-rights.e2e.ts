import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '#auth';
import { alertsTopic, configTopic, defaultCellConfig, telemetryTopic, type AlertEvent } from '#contracts';
import { RecordingClient } from '../api/live-client.js';
import { startStandalone, type Standalone } from '../support/standalone.js';

const T0 = Date.UTC(2026, 0, 1);

/**
 * `npm start` with authentication on, probed as a hostile rig would: a rig token may publish only its
 * own telemetry, never retained; a forged alert or configuration on its own topics never reaches a viewer
 * over socket.io nor ingest, while its telemetry does. /metrics needs a token.
 */
describe('topic rights on the embedded broker (auth on)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-rights-'));
  const tokens = { viewer: 'viewer-secret', rig: 'rig-01-secret' };
  let app: Standalone;
  let viewer: RecordingClient | undefined;
  const rigs: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    const tokensFile = path.join(dataDir, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { name: 'vera', role: 'viewer', sha256: hashToken(tokens.viewer) },
          { name: 'rig-01', role: 'rig', sha256: hashToken(tokens.rig) },
        ],
      }),
    );
    app = await startStandalone(dataDir, { SANDGLASS_AUTH: 'on', SANDGLASS_AUTH_TOKENS_FILE: tokensFile });
  }, 90_000);

  afterAll(async () => {
    viewer?.socket.close();
    await Promise.all(rigs.map((r) => r.endAsync(true)));
    await app?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rig = async () => {
    const client = await mqtt.connectAsync(app.mqttUrl, {
      username: 'rig-01',
      password: tokens.rig,
      reconnectPeriod: 0,
    });
    rigs.push(client);
    return client;
  };
  const closedAfter = async (publish: (client: mqtt.MqttClient) => void) => {
    const client = await rig();
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    publish(client);
    await closed;
  };

  it("keeps a rig's forged alert and configuration away from socket.io and ingest; its telemetry gets through", async () => {
    viewer = new RecordingClient(app.url, { auth: { token: tokens.viewer } });
    await viewer.connected();
    expect(await viewer.subscribe({ rigId: 'rig-01' })).toMatchObject({ ok: true });

    const forgedAlert: AlertEvent = {
      id: 'forged-1',
      rigId: 'rig-01',
      cellId: 'c1',
      ts: T0,
      kind: 'hard-short',
      severity: 'critical',
      state: 'raised',
      source: 'physics',
      message: 'forged by a rig',
      evidence: {},
    };
    // Each forgery closes the rig's connection (the broker refuses it, as the Mosquitto ACL does).
    await closedAfter((c) => c.publish(alertsTopic('rig-01', 'c1'), JSON.stringify(forgedAlert), { qos: 1 }));
    const forgedConfig = { ...defaultCellConfig('rig-01', 'c1'), electrodeArea_cm2: 999 };
    await closedAfter((c) =>
      c.publish(configTopic('rig-01', 'c1'), JSON.stringify(forgedConfig), { qos: 1, retain: true }),
    );
    await closedAfter((c) =>
      c.publish(telemetryTopic('rig-01', 'c1'), JSON.stringify({ ts: T0, v: 0.01, i: 0 }), {
        qos: 1,
        retain: true,
      }),
    );

    // The control: the same rig's telemetry reaches ingest and, as state, the viewer.
    const honest = await rig();
    const samples = Array.from({ length: 30 }, (_, k) => ({ ts: T0 + k * 100, v: 0.01, i: 0.001 }));
    await honest.publishAsync(telemetryTopic('rig-01', 'c1'), JSON.stringify(samples), { qos: 1 });
    await viewer.next('state', (s) => s.rigId === 'rig-01' && s.cellId === 'c1');

    expect(viewer.of('alert')).toEqual([]);
    const config = await fetch(`${app.url}/api/cells/rig-01/c1/config`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    expect(await config.json()).toMatchObject({ configured: false, config: { electrodeArea_cm2: 1 } });

    const metrics = await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    const text = await metrics.text();
    expect(text).toMatch(/sandglass_mqtt_refused_publishes_total\{reason="not-allowed"\} 2/);
    expect(text).toMatch(/sandglass_mqtt_refused_publishes_total\{reason="retained-telemetry"\} 1/);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
  }, 120_000);
});
