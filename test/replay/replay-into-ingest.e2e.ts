import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { configTopic, type CellConfig } from '#contracts';
import { openReplay, type ReplaySample } from '#replay';
import { fixturePresent } from '../support/fixtures.js';
import { describeWithServices, testServices } from '../support/services.js';
import {
  connectPublisher,
  influxStore,
  repoRoot,
  ownIngestSettings,
  startIngest,
  storedCount,
  until,
  type IngestProcess,
} from '../ingest/support.js';

const fixture = path.resolve(repoRoot, '../shared/fixtures/biologic/mb.mpt');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sandglass.js'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The recorded Li|LLZO|Li cell (BioLogic mb.mpt) replayed at full speed into a running ingest: every data
 * row stored with its data time, and no alert, because the cell is healthy.
 */
describeWithServices('replay of a real recording into ingest', () => {
  let ingest: IngestProcess | undefined;
  afterAll(async () => {
    await ingest?.stop();
  });

  it.skipIf(!fixturePresent(fixture))(
    'stores every row of mb.mpt at its data time and raises nothing',
    async () => {
      const { mqttUrl, influxUrl } = testServices();
      const settings = ownIngestSettings('replay', { mqttUrl, influxUrl });
      const rig = settings.rig;
      // Configured as the lab would: Li | LLZO | Li, 0.5 cm² (from the file's header), no stack pressure given.
      const config: CellConfig = {
        rigId: rig,
        cellId: 'llzo-01',
        cellType: 'symmetric',
        electrodeArea_cm2: 0.5,
        electrolyte: { preset: 'llzo' },
        thresholds: {},
      };
      const admin = await connectPublisher(mqttUrl);
      await admin.publishAsync(configTopic(rig, 'llzo-01'), JSON.stringify(config), { qos: 1, retain: true });
      ingest = await startIngest(settings);

      const start = '2026-03-01T08:00:00.000Z';
      const { code, stderr } = await cli([
        'replay',
        fixture,
        '--rig',
        rig,
        '--cell',
        'llzo-01',
        '--speed',
        'max',
        '--start',
        start,
        '--broker',
        mqttUrl,
      ]);
      expect(code, stderr).toBe(0);

      const rows: ReplaySample[] = [];
      for await (const batch of (await openReplay(fixture)).reader) rows.push(...batch);
      const store = influxStore(influxUrl, settings.db);
      await until(
        async () => (await storedCount(store, rig, 'llzo-01')) >= rows.length,
        'all rows stored',
        60_000,
      );
      const stored = await store.queryTelemetry({ rigId: rig, cellId: 'llzo-01' }, { limit: 100_000 });
      expect(stored).toHaveLength(rows.length);
      const t0 = Date.parse(start);
      for (const [k, row] of rows.entries()) {
        expect(stored[k]!.ts).toBeCloseTo(t0 + row.time_s * 1000, 0);
        expect(stored[k]!.v).toBe(row.v);
        expect(stored[k]!.i).toBe(row.i);
      }
      await until(async () => (await ingest!.health()).wal.unstoredBytes === 0, 'ingest to settle', 30_000);
      const alerts = await store.queryAlerts({ rigId: rig, limit: 100 });
      expect(alerts).toEqual([]);
      await admin.publishAsync(configTopic(rig, 'llzo-01'), '', { qos: 1, retain: true });
      await admin.endAsync();
    },
    180_000,
  );
});
