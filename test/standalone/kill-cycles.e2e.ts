import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKillCycles, type Cycle } from '../support/kill-cycles.js';
import { describeWithServices, testServices } from '../support/services.js';

/**
 * Nothing acknowledged is lost: a QoS 1 rig that retries keeps publishing while `npm start` is killed
 * (kill -9) or stopped (SIGTERM) at start-up, mid-stream and mid-drain; after a last start every sample
 * the rig got a PUBACK for is in the store exactly once. Three cycles per broker here, to bound the
 * time; `scripts/fuzz/kill-cycles.ts` runs all six combinations as many rounds as asked.
 */
const plan: Cycle[] = [
  { point: 'start-up', signal: 'SIGTERM' },
  { point: 'mid-stream', signal: 'SIGKILL' },
  { point: 'mid-drain', signal: 'SIGKILL' },
];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-cycles-'));
  dirs.push(dir);
  return dir;
};

describe('acknowledged samples across kills and restarts (embedded broker)', () => {
  it('stores every acknowledged sample exactly once', async () => {
    const report = await runKillCycles({ dataDir: dataDir(), rigId: 'rig-kc', cells: ['c1', 'c2'], plan });
    expect(report.cycles.map((c) => c.point)).toEqual(['start-up', 'mid-stream', 'mid-drain']);
    expect(report.acked).toBeGreaterThan(1000);
    expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: 0, duplicated: 0 });
  }, 240_000);
});

describeWithServices('acknowledged samples across kills and restarts (external Mosquitto)', () => {
  it("stores every acknowledged sample exactly once, through ingest's persistent session", async () => {
    const { mqttUrl } = testServices();
    const tag = `kc${process.pid}`;
    const report = await runKillCycles({
      dataDir: dataDir(),
      rigId: `rig-${tag}`,
      cells: ['c1', 'c2'],
      plan,
      rigBrokerUrl: mqttUrl,
      env: { SANDGLASS_MQTT_URL: mqttUrl, SANDGLASS_INGEST_CLIENT_ID: `ingest-${tag}` },
    });
    expect(report.acked).toBeGreaterThan(1000);
    expect({ lost: report.lost, duplicated: report.duplicated }).toEqual({ lost: 0, duplicated: 0 });
  }, 240_000);
});
