import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '#contracts';
import { openReplay } from '#replay';
import { fixturePresent } from '../support/fixtures.js';
import { describeWithServices, testServices } from '../support/services.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.resolve(root, '../shared/fixtures/biologic/mb.mpt');

function sandglass(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/sandglass.js'), ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sandglass CLI usage', () => {
  it('prints help for each command', async () => {
    for (const command of ['replay', 'simulate', 'token', 'dead-letters']) {
      const { code, stdout } = await sandglass([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`sandglass ${command}`);
    }
  });

  it('refuses bad arguments with exit code 2 and says what is wrong', async () => {
    const { code, stderr } = await sandglass([
      'simulate',
      '--scenario',
      'melting',
      '--rig',
      'r',
      '--cell',
      'c',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('source.scenario');
  });

  it('makes a token whose tokens-file entry holds only its hash', async () => {
    const { code, stdout } = await sandglass(['token', '--role', 'viewer', '--name', 'alice']);
    expect(code).toBe(0);
    const token = /token: (\S+)/.exec(stdout)?.[1];
    expect(token).toBeDefined();
    const entry = JSON.parse(/tokens-file entry: (.*)/.exec(stdout)?.[1] ?? '{}') as { sha256: string };
    expect(entry).toMatchObject({ name: 'alice', role: 'viewer' });
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stdout.split('\n').filter((l) => l.includes(token!))).toHaveLength(1);
  });
});

describeWithServices('sandglass replay and simulate against Mosquitto', () => {
  let subscriber: mqtt.MqttClient;
  const received = new Map<string, Sample[]>();

  beforeAll(async () => {
    subscriber = await mqtt.connectAsync(testServices().mqttUrl, { clientId: `cli-e2e-${process.pid}` });
    await subscriber.subscribeAsync(`sandglass/v1/cli-${process.pid}/+/telemetry`, { qos: 1 });
    subscriber.on('message', (topic, payload) => {
      const list = received.get(topic) ?? [];
      list.push(...(JSON.parse(payload.toString()) as Sample[]));
      received.set(topic, list);
    });
  });
  afterAll(async () => {
    await subscriber.endAsync();
  });

  it.skipIf(!fixturePresent(fixture))(
    'replays every data row of a BioLogic file with its data times',
    async () => {
      const rig = `cli-${process.pid}`;
      const start = '2026-01-01T00:00:00.000Z';
      const { code, stdout, stderr } = await sandglass([
        'replay',
        fixture,
        '--rig',
        rig,
        '--cell',
        'mb',
        '--speed',
        'max',
        '--start',
        start,
        '--broker',
        testServices().mqttUrl,
      ]);
      expect(stderr).toContain('biologic');
      expect(code).toBe(0);
      const expected: { time_s: number; v: number }[] = [];
      for await (const batch of (await openReplay(fixture)).reader) expected.push(...batch);
      expect(stdout).toContain(`finished: ${expected.length.toLocaleString('en-US')} samples`);
      await expect
        .poll(() => received.get(`sandglass/v1/${rig}/mb/telemetry`)?.length ?? 0, { timeout: 20_000 })
        .toBe(expected.length);
      const samples = received.get(`sandglass/v1/${rig}/mb/telemetry`)!;
      expect(samples[0]!.ts).toBe(Date.parse(start));
      expect(samples.at(-1)!.ts).toBeCloseTo(Date.parse(start) + expected.at(-1)!.time_s * 1000, 3);
      expect(samples.map((s) => s.v)).toEqual(expected.map((s) => s.v));
    },
  );

  it('publishes a simulator run, the same for the same seed', async () => {
    const rig = `cli-${process.pid}`;
    const run = (cell: string) =>
      sandglass([
        'simulate',
        '--scenario',
        'hard-short',
        '--rig',
        rig,
        '--cell',
        cell,
        '--speed',
        'max',
        '--seed',
        '3',
        '--start',
        '2026-01-01T00:00:00Z',
        '--broker',
        testServices().mqttUrl,
      ]);
    const [a, b] = await Promise.all([run('sim-a'), run('sim-b')]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const count = Number(/finished: ([\d,]+) samples/.exec(a.stdout)?.[1]?.replaceAll(',', ''));
    expect(count).toBeGreaterThan(1000);
    await expect
      .poll(() => received.get(`sandglass/v1/${rig}/sim-b/telemetry`)?.length ?? 0, { timeout: 20_000 })
      .toBe(count);
    expect(received.get(`sandglass/v1/${rig}/sim-a/telemetry`)).toEqual(
      received.get(`sandglass/v1/${rig}/sim-b/telemetry`),
    );
  });

  it('replays a dead-letter file: whole messages as received, only the refused elements of an array', async () => {
    const rig = `cli-${process.pid}`;
    const topic = `sandglass/v1/${rig}/dead/telemetry`;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sandglass-dead-')), 'dead-letters.jsonl');
    const fixed = { ts: 1767225600000, v: 0.01, i: 0.001 };
    const letters = [
      { at: 1, reason: 'store-refused', detail: 'HTTP 400', topic, payload: JSON.stringify([fixed]) },
      {
        at: 2,
        reason: 'bad-type',
        detail: 'v is not a number',
        topic,
        payload: JSON.stringify([
          { ...fixed, ts: fixed.ts + 1 },
          { ...fixed, ts: fixed.ts + 2 },
        ]),
        rejected: [{ index: 1, reason: 'bad-type', detail: 'v' }],
      },
      { at: 3, reason: 'oversized', detail: 'too big', topic, payload: '[', truncated: true },
    ];
    writeFileSync(file, letters.map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n');
    const { code, stdout } = await sandglass([
      'dead-letters',
      'replay',
      file,
      '--broker',
      testServices().mqttUrl,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('2 messages published');
    expect(stdout).toContain('1 skipped: not a dead letter');
    await expect.poll(() => received.get(topic)?.length ?? 0, { timeout: 20_000 }).toBe(2);
    expect(received.get(topic)).toEqual([fixed, { ...fixed, ts: fixed.ts + 2 }]);
  });
});
