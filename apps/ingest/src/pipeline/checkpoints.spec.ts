import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configTopic, telemetryTopic, type AlertEvent, type CellConfig, type Sample } from '#contracts';
import { simulateScenario } from '#simulator';
import { EmbeddedStore } from '#store';
import { physicsDetectorFactory } from '../detection/physics-detector.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { Checkpointer, CHECKPOINT_VERSION } from './checkpoints.js';
import { CycleAnalytics, CycleRecorder } from './cycle-analytics.js';
import { TelemetryIntake } from './telemetry-intake.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet = { warn: () => {}, error: () => {}, log: () => {} };
const dirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-checkpoints-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A labelled simulator run as a rig publishes it (seq per sample). */
function runOf(scenario: 'sand-depletion' | 'void-growth' | 'soft-short') {
  const run = simulateScenario({ scenario, seed: 2 });
  const samples: Sample[] = [...run.samples()].map((s, k) => ({
    ts: T0 + Math.round(s.time_s * 1000),
    v: s.v,
    i: s.i,
    ...(s.t !== undefined ? { t: s.t } : {}),
    ...(s.p !== undefined ? { p: s.p } : {}),
    seq: k,
  }));
  return { config: { ...run.config, rigId: 'rig', cellId: scenario } as CellConfig, samples };
}

/**
 * One ingest process on `store`: what it accepts goes to the store as the WAL drainer would put it there,
 * and the alerts it publishes are collected.
 */
function ingest(store: EmbeddedStore, config: CellConfig) {
  const wal = new WriteAheadLog({ dir: tmp(), maxBytes: 1 << 26, fsyncInterval_ms: 0 });
  wal.open();
  const alerts: AlertEvent[] = [];
  const recorder = new CycleRecorder(store, () => {});
  const analytics = new CycleAnalytics((cycle) => recorder.add(cycle));
  const intake = new TelemetryIntake(
    wal,
    {
      publishAlert: (a) => alerts.push(a),
      publishState: () => {},
      publishRejected: () => {},
      publishCommand: () => {},
    },
    physicsDetectorFactory,
    quiet,
    { cycles: analytics },
  );
  const checkpointer = new Checkpointer(intake, store, quiet, { analytics, recorder });
  /** Sends samples in messages of 10; the store gets them (and the alerts) in one batch at the end. */
  const send = async (samples: Sample[]): Promise<void> => {
    const accepted: Sample[] = [];
    const raisedBefore = alerts.length;
    for (let k = 0; k < samples.length; k += 10) {
      const chunk = samples.slice(k, k + 10);
      const work = intake.accept(telemetryTopic('rig', config.cellId), Buffer.from(JSON.stringify(chunk)));
      if (!work) continue;
      accepted.push(...work.admitted.samples);
      intake.detect(work);
    }
    await store.writeSamples(accepted.map((s) => ({ ...s, rigId: 'rig', cellId: config.cellId })));
    await store.writeAlerts(alerts.slice(raisedBefore));
  };
  return { intake, checkpointer, alerts, send, close: () => wal.close() };
}

const outcome = (alerts: AlertEvent[]) => alerts.map((a) => [a.id, a.kind, a.severity, a.state, a.ts]);

describe('detector checkpoints across a restart (embedded store)', () => {
  it.each(['sand-depletion', 'void-growth', 'soft-short'] as const)(
    '%s: checkpoint, more samples, crash, restore + replay: the same alerts as without the crash, none twice',
    async (scenario) => {
      const { config, samples } = runOf(scenario);
      const dir = tmp();

      const straightStore = new EmbeddedStore({ dataDir: dir, fileName: 'straight.duckdb' });
      await straightStore.open();
      const straight = ingest(straightStore, config);
      straight.intake.loadConfigs([config]);
      await straight.send(samples);
      straight.close();
      await straightStore.close();
      expect(straight.alerts.some((a) => a.kind === scenario && a.state === 'raised')).toBe(true);

      const store = new EmbeddedStore({ dataDir: dir, fileName: 'restarted.duckdb' });
      await store.open();
      await store.putCellConfig(config);
      // First process: checkpointed a little before the first alert of its kind, gone (no shutdown) a
      // little after it, so the replay derives that alert again.
      const raisedTs = straight.alerts.find((a) => a.kind === scenario)!.ts;
      const raisedAt = samples.findIndex((s) => s.ts === raisedTs);
      const first = ingest(store, config);
      first.intake.loadConfigs([config]);
      first.intake.applyConfig(configTopic('rig', config.cellId), Buffer.from(JSON.stringify(config)));
      const atCheckpoint = Math.max(10, raisedAt - 300);
      const atCrash = Math.min(samples.length - 10, raisedAt + 200);
      await first.send(samples.slice(0, atCheckpoint));
      await first.checkpointer.save(true);
      await first.send(samples.slice(atCheckpoint, atCrash));
      first.close();

      // Second process on the same store: configurations and open alerts, then the checkpoint.
      const second = ingest(store, config);
      second.intake.loadConfigs(await store.listCellConfigs());
      second.intake.restoreAlerts(
        (await store.queryAlerts({ limit: 1000 })).filter((a) => a.state !== 'cleared'),
      );
      await second.checkpointer.restore(() => Promise.resolve(true));
      expect(second.checkpointer.counters).toMatchObject({ restored: 1, dropped: 0 });
      expect(second.checkpointer.counters.replayedSamples).toBe(atCrash - atCheckpoint);
      expect(second.checkpointer.counters.alertsSuppressed).toBeGreaterThanOrEqual(1);
      // The rig sends again what was not acknowledged, and goes on.
      await second.send(samples.slice(atCrash - 5));
      second.close();
      await store.close();

      expect(outcome([...first.alerts, ...second.alerts])).toEqual(outcome(straight.alerts));
    },
  );

  it('drops a checkpoint of another version or configuration with a log line, and starts afresh', async () => {
    const { config, samples } = runOf('soft-short');
    const store = new EmbeddedStore({ dataDir: tmp() });
    await store.open();
    const first = ingest(store, config);
    first.intake.loadConfigs([config]);
    await first.send(samples.slice(0, 500));
    const good = first.checkpointer.checkpointOf('rig', config.cellId)!;
    expect(good.version).toBe(CHECKPOINT_VERSION);
    first.close();

    const warnings: string[] = [];
    const restartWith = async (checkpoint: typeof good, now: CellConfig) => {
      await store.writeCheckpoints([checkpoint]);
      const wal = new WriteAheadLog({ dir: tmp(), maxBytes: 1 << 24, fsyncInterval_ms: 0 });
      wal.open();
      const logger = { ...quiet, warn: (m: string) => warnings.push(m) };
      const intake = new TelemetryIntake(
        wal,
        {
          publishAlert: () => {},
          publishState: () => {},
          publishRejected: () => {},
          publishCommand: () => {},
        },
        physicsDetectorFactory,
        logger,
      );
      intake.loadConfigs([now]);
      const checkpointer = new Checkpointer(intake, store, logger);
      await checkpointer.restore(() => Promise.resolve(true));
      wal.close();
      return { checkpointer, intake };
    };

    const older = await restartWith({ ...good, version: CHECKPOINT_VERSION - 1 }, config);
    expect(older.checkpointer.counters).toMatchObject({ restored: 0, dropped: 1 });
    expect(warnings.at(-1)).toMatch(/checkpoint not used \(checkpoint version 0/);

    const reconfigured = await restartWith(good, { ...config, electrodeArea_cm2: 2 });
    expect(reconfigured.checkpointer.counters.dropped).toBe(1);
    expect(warnings.at(-1)).toMatch(/another configuration/);

    // A detector whose fields changed (here: one renamed) is refused, not misread.
    const content = JSON.parse(good.state) as {
      tracker: { state: { detector: { state: { monitor: { $s: { state: Record<string, unknown> } } } } } };
    };
    const monitor = content.tracker.state.detector.state.monitor.$s.state;
    monitor.renamed = monitor.lastTs;
    delete monitor.lastTs;
    const misfit = await restartWith({ ...good, state: JSON.stringify(content) }, config);
    expect(misfit.checkpointer.counters.dropped).toBe(1);
    expect(warnings.at(-1)).toMatch(/fields differ/);
    expect(misfit.intake.cell('rig', config.cellId)).toBeUndefined();
    await store.close();
  });
});
