import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTopic, telemetryTopic, type AlertEvent, type CellConfig, type Sample } from '#contracts';
import { simulateScenario } from '#simulator';
import { physicsDetectorFactory } from '../detection/physics-detector.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { TelemetryIntake } from './telemetry-intake.js';

const T0 = Date.UTC(2026, 0, 1);

/** A failing run with a soft short turning hard, 2 h at 2 s: several alert kinds, raised and cleared. */
const run = simulateScenario({ scenario: 'soft-short', seed: 3, duration_s: 2 * 3600, sampleInterval_s: 2 });
const samples: Sample[] = [...run.samples()].map((s, k) => ({
  ts: T0 + Math.round(s.time_s * 1000),
  v: s.v,
  i: s.i,
  ...(s.t !== undefined ? { t: s.t } : {}),
  seq: k,
}));

interface Variant {
  /** Samples per message. */
  batch: number;
  /** Wall-clock ms that pass per second of data time (1× = 1000, 100× = 10, as fast as possible = 0). */
  wallPerDataSecond_ms: number;
  /** The configuration is sent after this many messages (0 = before the first). */
  configAfterMessages: number;
  /**
   * Held samples judged per step once the configuration came; one step after each message (later
   * messages queue behind the rest), the remainder at the end. Unset: all at once.
   */
  releaseSlice?: number;
}

/** Replays the run into `cells` cells at once (messages interleaved) and returns each cell's alerts. */
function replay(variant: Variant, cells: string[]): Map<string, [string, string, string, number][]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-determinism-'));
  const wal = new WriteAheadLog({ dir, maxBytes: 1 << 26, fsyncInterval_ms: 0 });
  wal.open();
  const alerts: AlertEvent[] = [];
  let now = 1_000_000;
  const intake = new TelemetryIntake(
    wal,
    {
      publishAlert: (a) => alerts.push(a),
      publishState: () => {},
      publishRejected: () => {},
      publishCommand: () => {},
    },
    physicsDetectorFactory,
    { warn: () => {}, error: () => {}, log: () => {} },
    {
      now: () => now,
      configHold_ms: 60_000,
      ...(variant.releaseSlice && { tracker: { releaseSlice_samples: variant.releaseSlice } }),
    },
  );
  const configure = (cellId: string): void => {
    const config: CellConfig = { ...run.config, rigId: 'rig', cellId };
    intake.applyConfig(configTopic('rig', cellId), Buffer.from(JSON.stringify(config)));
  };
  try {
    if (variant.configAfterMessages === 0) cells.forEach(configure);
    let messages = 0;
    for (let k = 0; k < samples.length; k += variant.batch) {
      const chunk = samples.slice(k, k + variant.batch);
      const span_s = ((chunk.at(-1)?.ts ?? 0) - (chunk[0]?.ts ?? 0)) / 1000 + 2;
      now += span_s * variant.wallPerDataSecond_ms;
      for (const cellId of cells) {
        const work = intake.accept(telemetryTopic('rig', cellId), Buffer.from(JSON.stringify(chunk)));
        if (work) intake.detect(work);
      }
      wal.flush();
      if (++messages === variant.configAfterMessages) cells.forEach(configure);
      intake.judgeBacklog();
    }
    while (intake.judgeBacklog());
  } finally {
    wal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const byCell = new Map<string, [string, string, string, number][]>();
  for (const a of alerts) {
    const list = byCell.get(a.cellId) ?? [];
    list.push([a.kind, a.severity, a.state, a.ts]);
    byCell.set(a.cellId, list);
  }
  return byCell;
}

describe('alerts are a function of the samples and the configuration only', () => {
  const reference = replay({ batch: 1, wallPerDataSecond_ms: 1000, configAfterMessages: 0 }, ['c1']).get(
    'c1',
  );

  it('the reference run raises a short alert (the comparison is not between empty lists)', () => {
    expect(reference?.some(([kind, , state]) => kind.endsWith('-short') && state === 'raised')).toBe(true);
  });

  const variants: [string, Variant][] = [
    ['single samples at 100×', { batch: 1, wallPerDataSecond_ms: 10, configAfterMessages: 0 }],
    ['single samples as fast as possible', { batch: 1, wallPerDataSecond_ms: 0, configAfterMessages: 0 }],
    ['batches of 50 at 1×', { batch: 50, wallPerDataSecond_ms: 1000, configAfterMessages: 0 }],
    ['batches of 37 as fast as possible', { batch: 37, wallPerDataSecond_ms: 0, configAfterMessages: 0 }],
    [
      'configuration after the first 5 messages',
      { batch: 1, wallPerDataSecond_ms: 0, configAfterMessages: 5 },
    ],
    [
      'configuration after the first 3 batches',
      { batch: 20, wallPerDataSecond_ms: 10, configAfterMessages: 3 },
    ],
    [
      'configuration after 400 batches of 5, the hold judged 7 samples a step',
      { batch: 5, wallPerDataSecond_ms: 0, configAfterMessages: 400, releaseSlice: 7 },
    ],
  ];
  for (const [name, variant] of variants) {
    it(`gives the same alerts (kind, severity, state, data time) for ${name}, in three cells at once`, () => {
      const cells = ['a', 'b', 'c'];
      const byCell = replay(variant, cells);
      for (const cellId of cells) expect(byCell.get(cellId)).toEqual(reference);
    });
  }
});
