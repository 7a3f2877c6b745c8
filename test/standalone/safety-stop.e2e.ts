import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '#auth';
import {
  AlertEventSchema,
  commandTopic,
  SafetyCommandSchema,
  telemetryTopic,
  type AlertEvent,
  type SafetyCommand,
} from '#contracts';
import { simulateScenario } from '#simulator';
import { startStandalone, type Standalone } from '../support/standalone.js';
import { until } from '../support/until.js';

/** How long to wait for anything here: a loaded machine runs the whole standalone slowly. */
const WAIT_MS = 60_000;

const RIG = 'rig-01';
const CELL = 'ch-07';

/**
 * The safety stop end to end on `npm start` with authentication on (embedded Aedes broker, embedded
 * store): an operator configures `safety: {stopOn: [hard-short]}` over REST, the rig subscribes to its own
 * `…/command` topic with its rig token, and publishes the simulator's hard-short run. The rig receives
 * exactly one stop command, for the hard-short alert, and the stored alert records it. The broker's topic
 * rights: the rig may read its own commands but not another rig's, and may not publish a command.
 */
describe('safety stop on the embedded broker (auth on)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-safety-'));
  const tokens = { operator: 'operator-secret', rig: 'rig-01-secret' };
  let app: Standalone;
  const clients: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    const tokensFile = path.join(dataDir, 'tokens.json');
    writeFileSync(
      tokensFile,
      JSON.stringify({
        tokens: [
          { name: 'otto', role: 'operator', sha256: hashToken(tokens.operator) },
          { name: RIG, role: 'rig', sha256: hashToken(tokens.rig) },
        ],
      }),
    );
    app = await startStandalone(dataDir, { SANDGLASS_AUTH: 'on', SANDGLASS_AUTH_TOKENS_FILE: tokensFile });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await app?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rig = async () => {
    const client = await mqtt.connectAsync(app.mqttUrl, {
      username: RIG,
      password: tokens.rig,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };
  const putConfig = (body: unknown) =>
    fetch(`${app.url}/api/cells/${RIG}/${CELL}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.operator}` },
      body: JSON.stringify(body),
    });

  it('sends one stop command for a hard short, to the rig only, and records it on the alert', async () => {
    const run = simulateScenario({ scenario: 'hard-short', seed: 11 });
    const { rigId: _r, cellId: _c, ...body } = run.config;

    // An invalid safety section is refused with the field named.
    const refused = await putConfig({ ...body, safety: { stopOn: ['fire'] } });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/safety\.stopOn/);
    const put = await putConfig({ ...body, safety: { stopOn: ['hard-short'], minSeverity: 'critical' } });
    expect(put.status, await put.text()).toBe(200);

    // Topic rights: the rig reads its own commands, not another rig's, and cannot send one.
    const listener = await rig();
    const commands: SafetyCommand[] = [];
    listener.on('message', (topic, payload) => {
      if (topic === commandTopic(RIG, CELL))
        commands.push(SafetyCommandSchema.parse(JSON.parse(payload.toString())));
    });
    const granted = await listener.subscribeAsync(commandTopic(RIG, CELL), { qos: 1 });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([[commandTopic(RIG, CELL), 1]]);
    // Aedes answers a refused subscription by closing the connection (as it does a refused publish).
    const snoop = await rig();
    const snoopClosed = new Promise<void>((resolve) => snoop.once('close', () => resolve()));
    await snoop.subscribeAsync(commandTopic('rig-02', CELL), { qos: 1 }).catch(() => undefined);
    await snoopClosed;
    const forger = await rig();
    const closed = new Promise<void>((resolve) => forger.once('close', () => resolve()));
    forger.publish(
      commandTopic(RIG, 'other'),
      JSON.stringify({ action: 'stop', reason: 'x', alertId: 'x', ts: 0 }),
      { qos: 1 },
    );
    await closed;

    // The hard-short run, as the rig's cycler would send it (data time ending now).
    const publisher = await rig();
    const samples = [...run.samples()];
    const start_ms = Date.now() - samples.at(-1)!.time_s * 1000 - 1000;
    for (let k = 0; k < samples.length; k += 100) {
      const batch = samples.slice(k, k + 100).map((s, j) => ({
        ts: start_ms + s.time_s * 1000,
        v: s.v,
        i: s.i,
        ...(s.t !== undefined && { t: s.t }),
        seq: k + j,
      }));
      await publisher.publishAsync(telemetryTopic(RIG, CELL), JSON.stringify(batch), { qos: 1 });
    }

    const alerts = async (): Promise<AlertEvent[]> => {
      const response = await fetch(`${app.url}/api/alerts?rigId=${RIG}&cellId=${CELL}`, {
        headers: { authorization: `Bearer ${tokens.operator}` },
      });
      return AlertEventSchema.array().parse(await response.json());
    };
    let hardShort: AlertEvent | undefined;
    await until(
      async () => {
        hardShort = (await alerts()).find((a) => a.kind === 'hard-short' && a.safetyStop !== undefined);
        return hardShort !== undefined && commands.length > 0;
      },
      'the hard-short alert with its safety stop, and the command at the rig',
      WAIT_MS,
    );
    // QoS 1 may deliver twice in principle; Sandglass publishes once, and the broker here did not repeat.
    await new Promise((r) => setTimeout(r, 1000));
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ action: 'stop', alertId: hardShort!.id });
    expect(commands[0]!.reason).toMatch(/^critical hard-short/);
    expect(hardShort!.safetyStop).toEqual({ ts: commands[0]!.ts, topic: commandTopic(RIG, CELL) });
    // Other kinds (the run may also raise a soft short first) send nothing.
    for (const alert of await alerts())
      if (alert.kind !== 'hard-short') expect(alert.safetyStop, alert.kind).toBeUndefined();

    const metrics = await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${tokens.operator}` },
    });
    expect(await metrics.text()).toMatch(/sandglass_ingest_safety_stops_total 1\b/);
  }, 120_000);
});
