/**
 * npm run bench:checkpoints — size and cost of one cell's detector checkpoint (issue 19). For each
 * simulator scenario, one cell is run through ingest's pipeline (sequencer, physics detector, alert
 * engine, cycle tracker) to the middle of its run; then its checkpoint is taken (snapshot + JSON text,
 * what the Checkpointer stores) and restored into a fresh cell many times. Prints the checkpoint size
 * and the median CPU time per checkpoint and per restore. Noisy on a shared machine: compare medians.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { telemetryTopic, type CellConfig, type Sample } from '#contracts';
import type { Snapshot } from '#physics';
import { simulateScenario } from '#simulator';
import {
  Checkpointer,
  CycleAnalytics,
  CycleRecorder,
  physicsDetectorFactory,
  TelemetryIntake,
  WriteAheadLog,
} from '#ingest';

const repetitions = 300;
const quiet = { warn: () => {}, error: () => {}, log: () => {} };
const noStore = {
  writeCheckpoints: () => Promise.resolve(),
  readCheckpoints: () => Promise.resolve([]),
  queryAlerts: () => Promise.resolve([]),
  // eslint-disable-next-line require-yield
  readSamplePages: async function* () {
    return;
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-bench-checkpoints-'));
try {
  console.log('scenario          bytes/cell   µs/checkpoint   µs/restore');
  for (const scenario of ['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const) {
    const run = simulateScenario({ scenario, seed: 1 });
    const config = { ...run.config, rigId: 'rig', cellId: scenario } as CellConfig;
    const all: Sample[] = [...run.samples()].map((s, k) => ({
      ts: Date.UTC(2026, 0, 1) + s.time_s * 1000,
      v: s.v,
      i: s.i,
      ...(s.t !== undefined ? { t: s.t } : {}),
      ...(s.p !== undefined ? { p: s.p } : {}),
      seq: k,
    }));
    const wal = new WriteAheadLog({ dir: fs.mkdtempSync(path.join(dir, 'wal-')), maxBytes: 1 << 26 });
    wal.open();
    const analytics = new CycleAnalytics(() => {});
    const recorder = new CycleRecorder(
      { writeCycles: () => Promise.resolve(), queryCycles: () => Promise.resolve([]) },
      () => {},
    );
    const output = {
      publishAlert: () => {},
      publishState: () => {},
      publishRejected: () => {},
      publishCommand: () => {},
    };
    const intake = new TelemetryIntake(wal, output, physicsDetectorFactory, quiet, { cycles: analytics });
    intake.loadConfigs([config]);
    const checkpointer = new Checkpointer(intake, noStore, quiet, { analytics, recorder });
    const half = all.slice(0, Math.floor(all.length / 2));
    for (let k = 0; k < half.length; k += 10) {
      const work = intake.accept(
        telemetryTopic('rig', scenario),
        Buffer.from(JSON.stringify(half.slice(k, k + 10))),
      );
      if (work) intake.detect(work);
    }
    recorder.setOffset(config, 0);
    const take: number[] = [];
    const give: number[] = [];
    let bytes = 0;
    for (let r = 0; r < repetitions; r++) {
      const t0 = process.hrtime.bigint();
      const checkpoint = checkpointer.checkpointOf('rig', scenario)!;
      const t1 = process.hrtime.bigint();
      const content = JSON.parse(checkpoint.state) as { config: CellConfig; tracker: Snapshot };
      intake.restoreCell('rig', scenario, content.config, content.tracker);
      const t2 = process.hrtime.bigint();
      take.push(Number(t1 - t0) / 1000);
      give.push(Number(t2 - t1) / 1000);
      bytes = checkpoint.state.length;
    }
    wal.close();
    console.log(
      `${scenario.padEnd(16)} ${String(bytes).padStart(10)} ${median(take).toFixed(0).padStart(15)} ${median(give).toFixed(0).padStart(12)}`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
