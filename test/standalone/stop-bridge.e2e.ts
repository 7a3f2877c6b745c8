import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type StartedEmbeddedBroker } from '#broker';
import { commandTopic, type SafetyCommand } from '#contracts';
import { until } from '../support/until.js';

/** How long to wait for anything here: a loaded machine runs the whole standalone slowly. */
const WAIT_MS = 20_000;

const root = path.resolve(import.meta.dirname, '../..');
const BRIDGE = path.join(root, 'examples/stop-bridge/bridge.mjs');

/**
 * The example bridge of docs/safety-stop.md against the embedded broker: it runs its stop program once
 * per alert, refuses stale, malformed and unmapped commands, and gets a command published while it was
 * down once it is back (persistent session). The stop program here appends to a file.
 */
describe('examples/stop-bridge', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-bridge-'));
  const stops = path.join(dir, 'stops.txt');
  const configFile = path.join(dir, 'channels.json');
  let broker: StartedEmbeddedBroker;
  let sandglass: mqtt.MqttClient;
  let bridge: { child: ChildProcess; lines: () => Array<Record<string, unknown>> } | undefined;

  const startBridge = async () => {
    const child = spawn(process.execPath, [BRIDGE, '--config', configFile], { cwd: root });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const lines = () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    bridge = { child, lines };
    await until(
      () => lines().some((l) => l.event === 'connected'),
      `the bridge to connect:\n${out}`,
      WAIT_MS,
    );
    // The subscription is sent right after the CONNACK.
    await new Promise((r) => setTimeout(r, 300));
  };
  const stopBridge = async () => {
    const child = bridge?.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const command = (alertId: string, ts = Date.now()): string =>
    JSON.stringify({
      action: 'stop',
      reason: 'critical hard-short: test',
      alertId,
      ts,
    } satisfies SafetyCommand);
  const stopped = () => (existsSync(stops) ? readFileSync(stops, 'utf8').trim().split('\n') : []);

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    writeFileSync(
      configFile,
      JSON.stringify({
        brokerUrl: broker.url,
        rigId: 'rig-01',
        maxAge_s: 60,
        stopCommand: [
          process.execPath,
          '-e',
          "require('fs').appendFileSync(process.argv[1], process.argv.slice(2).join(' ') + '\\n')",
          stops,
          '{address}',
          '{channel}',
          '{alertId}',
        ],
        channels: { 'ch-03': { address: '192.168.0.20', channel: 3 } },
      }),
    );
    // Sandglass's side: a client of the loopback listener, which may publish commands.
    sandglass = await mqtt.connectAsync(broker.internalUrl);
  });

  afterAll(async () => {
    await stopBridge();
    await sandglass?.endAsync();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the mapped channel once per alert and refuses what it should not act on', async () => {
    await startBridge();
    const topic = commandTopic('rig-01', 'ch-03');
    await sandglass.publishAsync(topic, command('a1'), { qos: 1 });
    await sandglass.publishAsync(topic, command('a1'), { qos: 1 }); // a repeat (QoS 1 is at-least-once)
    await sandglass.publishAsync(topic, command('old', Date.now() - 120_000), { qos: 1 });
    await sandglass.publishAsync(topic, '{"action":"start"}', { qos: 1 });
    await sandglass.publishAsync(commandTopic('rig-01', 'ch-99'), command('a2'), { qos: 1 });
    await until(() => bridge!.lines().length >= 6, 'the bridge to judge every command', WAIT_MS);
    const events = bridge!.lines().map((l) => l.event);
    expect(events.filter((e) => e === 'stopped')).toHaveLength(1);
    expect(events.filter((e) => e === 'duplicate')).toHaveLength(1);
    expect(events.filter((e) => e === 'refused')).toHaveLength(3);
    expect(stopped()).toEqual(['192.168.0.20 3 a1']);

    // A command published while the bridge is down is delivered when it reconnects.
    await stopBridge();
    await sandglass.publishAsync(topic, command('a3'), { qos: 1 });
    await startBridge();
    await until(() => stopped().length === 2, 'the queued command to be acted on', WAIT_MS);
    expect(stopped()).toEqual(['192.168.0.20 3 a1', '192.168.0.20 3 a3']);
  }, 60_000);
});
