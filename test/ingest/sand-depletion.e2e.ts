import { afterEach, expect, it } from 'vitest';
import {
  alertsTopic,
  configTopic,
  stateTopic,
  telemetryTopic,
  type AlertEvent,
  type CellConfig,
  type StateMessage,
} from '#contracts';
import { DepletionTracker } from '#physics';
import { describeWithServices, testServices } from '../support/services.js';
import {
  T0,
  connectPublisher,
  influxStore,
  startIngest,
  until,
  storedCount,
  type IngestProcess,
  ownIngestSettings,
} from './support.js';

/** 1 M salt, D = 3e-10 m²/s, t+ = 0.38, a 500 µm gap: J* ≈ 187 A/m² (18.7 mA on 1 cm²). */
function sandConfig(rigId: string, cellId: string): CellConfig {
  return {
    rigId,
    cellId,
    cellType: 'symmetric',
    electrodeArea_cm2: 1,
    electrolyte: {
      kind: 'liquid',
      diffusivity_cm2_s: 3e-6,
      concentration_mol_L: 1,
      cationTransference: 0.38,
      gap_um: 500,
    },
    thresholds: {},
  };
}

describeWithServices('ingest: Sand-depletion alert end to end', () => {
  /** The ingest a test runs; each test's own is stopped after it (a second test must not leave the first's). */
  let ingest: IngestProcess | undefined;
  afterEach(async () => {
    await ingest?.stop();
    ingest = undefined;
  });

  it('raises sand-depletion before the depletion time (data time) and clears after the current drops', async () => {
    const { mqttUrl, influxUrl } = testServices();
    const settings = ownIngestSettings('ingest_sand', { mqttUrl, influxUrl });
    const { rig, db } = settings;
    const cell = 's1';
    const config = sandConfig(rig, cell);
    const current_A = 0.04; // J/J* ≈ 2.1
    const tracker = new DepletionTracker({
      diffusivity_m2_s: 3e-10,
      concentration_mol_m3: 1000,
      anionTransference: 0.62,
      gap_m: 500e-6,
    });
    const depletion_s = tracker.update(1e-6, current_A / 1e-4).timeToDepletion_s;
    expect(depletion_s).toBeGreaterThan(20);
    expect(depletion_s).toBeLessThan(60);

    const pub = await connectPublisher(mqttUrl);
    // As the api does: store the configuration, then publish it retained; ingest applies the stored one.
    await storeConfig(influxStore(influxUrl, db), config);
    await pub.publishAsync(configTopic(rig, cell), JSON.stringify(config), { qos: 1, retain: true });
    ingest = await startIngest(settings);

    const alerts: AlertEvent[] = [];
    const states: StateMessage[] = [];
    const watcher = await connectPublisher(mqttUrl);
    watcher.on('message', (topic, payload) => {
      if (topic.endsWith('/alerts')) alerts.push(JSON.parse(payload.toString()) as AlertEvent);
      else states.push(JSON.parse(payload.toString()) as StateMessage);
    });
    await watcher.subscribeAsync([alertsTopic(rig, cell), stateTopic(rig, cell)], { qos: 1 });

    // 10 Hz of data time: the current flows for 1.5× the depletion time, then 120 s at rest.
    const on_s = Math.ceil(depletion_s * 1.5);
    const total = (on_s + 120) * 10;
    const samples = Array.from({ length: total }, (_, k) => ({
      ts: T0 + k * 100,
      v: k < on_s * 10 ? 0.05 : 0,
      i: k < on_s * 10 ? current_A : 0,
      seq: k,
    }));
    for (let k = 0; k < total; k += 50) {
      await pub.publishAsync(telemetryTopic(rig, cell), JSON.stringify(samples.slice(k, k + 50)), { qos: 1 });
    }

    await until(() => alerts.some((a) => a.state === 'cleared'), 'the alert to clear');
    const raised = alerts.find((a) => a.state === 'raised' && a.kind === 'sand-depletion');
    expect(raised, JSON.stringify(alerts)).toBeDefined();
    expect(raised!.ts).toBeLessThan(T0 + depletion_s * 1000);
    expect(raised!.evidence.jOverJstar).toBeGreaterThan(1);
    const cleared = alerts.find((a) => a.state === 'cleared')!;
    expect(cleared.id).toBe(raised!.id);
    expect(cleared.ts).toBeGreaterThan(T0 + on_s * 1000);
    // One open alert per (cell, kind): every event carries the same id.
    expect(new Set(alerts.filter((a) => a.kind === 'sand-depletion').map((a) => a.id)).size).toBe(1);

    // States: at most one per second of data time, and of wall time (a replay this fast gives a few);
    // the latest of the burst is sent once its second is over, back to ok after the current stopped.
    const last_ms = T0 + (total - 1) * 100;
    await until(() => (states.at(-1)?.ts ?? 0) >= last_ms - 1000, 'the latest state');
    const gaps = states.slice(1).map((s, k) => s.ts - states[k]!.ts);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    expect(states.at(-1)!.risk).toBe('ok');

    // The alert is stored with its latest state.
    const store = influxStore(influxUrl, db);
    await until(async () => {
      const stored = await store.queryAlerts({ rigId: rig, cellId: cell, limit: 10 }).catch(() => []);
      return stored.some((a) => a.id === raised!.id && a.state === 'cleared');
    }, 'the cleared alert in the store');

    await pub.publishAsync(configTopic(rig, cell), '', { qos: 1, retain: true });
    await pub.endAsync();
    await watcher.endAsync();
  });

  it('SIGTERM stores what was accepted and exits 0; after a restart the open alert is restored, not raised again', async () => {
    const { mqttUrl, influxUrl } = testServices();
    const settings = ownIngestSettings('ingest_restart', { mqttUrl, influxUrl });
    const { rig } = settings;
    const cell = 's2';
    const pub = await connectPublisher(mqttUrl);
    await storeConfig(influxStore(influxUrl, settings.db), sandConfig(rig, cell));
    await pub.publishAsync(configTopic(rig, cell), JSON.stringify(sandConfig(rig, cell)), {
      qos: 1,
      retain: true,
    });
    const alerts: AlertEvent[] = [];
    const watcher = await connectPublisher(mqttUrl);
    watcher.on('message', (_topic, payload) => alerts.push(JSON.parse(payload.toString()) as AlertEvent));
    await watcher.subscribeAsync(alertsTopic(rig, cell), { qos: 1 });
    const store = influxStore(influxUrl, settings.db);
    const send = async (from: number, to: number, current_A: number) => {
      for (let k = from; k < to; k += 50) {
        const batch = Array.from({ length: Math.min(50, to - k) }, (_, j) => ({
          ts: T0 + (k + j) * 100,
          v: current_A > 0 ? 0.05 : 0,
          i: current_A,
          seq: k + j,
        }));
        await pub.publishAsync(telemetryTopic(rig, cell), JSON.stringify(batch), { qos: 1 });
      }
    };

    const first = (ingest = await startIngest(settings));
    await send(0, 600, 0.04); // 60 s above J*
    await until(() => alerts.some((a) => a.state === 'raised'), 'the alert');
    await until(async () => (await storedCount(store, rig, cell)) === 600, 'the first part stored');
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).not.toMatch(/not stored yet/);
    const stored = await store.queryAlerts({ rigId: rig, cellId: cell, limit: 10 });
    expect(stored.filter((a) => a.state !== 'cleared')).toHaveLength(1);

    ingest = await startIngest(settings);
    expect(ingest.output()).toMatch(/1 open alerts loaded/);
    await send(600, 2400, 0); // 180 s at rest
    await until(() => alerts.some((a) => a.state === 'cleared'), 'the restored alert to clear');
    const ids = new Set(alerts.map((a) => a.id));
    expect(ids.size, JSON.stringify(alerts)).toBe(1);
    // The alert can clear before the drainer has stored the last batches.
    await until(async () => (await storedCount(store, rig, cell)) === 2400, 'every sample stored');

    await pub.publishAsync(configTopic(rig, cell), '', { qos: 1, retain: true });
    await pub.endAsync();
    await watcher.endAsync();
  });
});

/** What the api does before publishing a configuration: store it (ingest applies only stored ones). */
async function storeConfig(store: ReturnType<typeof influxStore>, config: CellConfig): Promise<void> {
  await store.open();
  await store.putCellConfig(config);
}
