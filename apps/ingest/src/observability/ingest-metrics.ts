import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS } from '#contracts';
import { EmbeddedStore, type TelemetryStore } from '#store';
import type { DeadLetterFile } from '../dead-letters/dead-letter-file.js';
import type { MqttIntake } from '../intake/mqtt-intake.js';
import type { RigPartition } from '../partition/rig-partition.js';
import type { ModelRunner } from '../detection/model-runner.js';
import type { StateWriter } from '../pipeline/state-writer.js';
import type { CheckpointCounters } from '../pipeline/checkpoints.js';
import type { CycleAnalytics, CycleRecorder } from '../pipeline/cycle-analytics.js';
import type { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import type { WalDrainer } from '../wal/wal-drainer.js';
import type { WriteAheadLog } from '../wal/write-ahead-log.js';

export interface MetricSources {
  intake: TelemetryIntake;
  wal: WriteAheadLog;
  drainer: WalDrainer;
  states: StateWriter;
  model: ModelRunner;
  deadLetters: DeadLetterFile;
  store: TelemetryStore;
  mqtt: MqttIntake;
  cycles?: { recorder: CycleRecorder; analytics: CycleAnalytics };
  checkpoints?: CheckpointCounters;
  partition?: RigPartition;
}

/**
 * Prometheus metrics of an ingest process in their own registry (so an api in the same process can
 * merge or serve them without name clashes). Counters on the hot path are plain numbers in the core,
 * copied into the registry at scrape time; only the store batch latency is observed as it happens.
 * Default process metrics include `nodejs_eventloop_lag_seconds`.
 */
export class IngestMetrics {
  readonly registry = new Registry();
  readonly batchSeconds: Histogram;
  storeFailures = 0;

  constructor(sources: () => MetricSources | undefined) {
    const { registry } = this;
    collectDefaultMetrics({ register: registry, prefix: 'sandglass_ingest_' });
    const counter = (name: string, help: string, read: (s: MetricSources) => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const s = sources();
          if (!s) return;
          this.reset();
          this.inc(read(s));
        },
      });
    const gauge = (name: string, help: string, read: (s: MetricSources) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const s = sources();
          if (s) this.set(read(s));
        },
      });
    counter(
      'sandglass_ingest_messages_received_total',
      'Telemetry messages received',
      (s) => s.intake.counters.messagesReceived,
    );
    counter(
      'sandglass_ingest_samples_accepted_total',
      'Samples accepted into the WAL',
      (s) => s.intake.counters.samplesAccepted,
    );
    counter(
      'sandglass_ingest_samples_stored_total',
      'Samples written to the store',
      (s) => s.drainer.storedSamples,
    );
    counter(
      'sandglass_ingest_wal_writes_total',
      'Group writes to the write-ahead log (messages received over this: the group size)',
      (s) => s.wal.writeCount,
    );
    counter(
      'sandglass_ingest_cycles_completed_total',
      'Cycles completed on the live streams (libs/cycles)',
      (s) => s.cycles?.analytics.completed ?? 0,
    );
    counter(
      'sandglass_ingest_cycles_stored_total',
      'Per-cycle statistics written to the store',
      (s) => s.cycles?.recorder.written ?? 0,
    );
    counter(
      'sandglass_ingest_cycles_dropped_total',
      'Per-cycle statistics dropped unstored (queue full while the store was down)',
      (s) => s.cycles?.recorder.dropped ?? 0,
    );
    counter(
      'sandglass_ingest_checkpoints_written_total',
      'Detector checkpoints stored (one per cell with new samples, at most every 30 s, and at shutdown)',
      (s) => s.checkpoints?.written ?? 0,
    );
    counter(
      'sandglass_ingest_checkpoint_bytes_total',
      'Bytes of detector checkpoints stored',
      (s) => s.checkpoints?.bytes ?? 0,
    );
    counter(
      'sandglass_ingest_checkpoint_write_failures_total',
      'Batches of detector checkpoints the store refused (tried again on the next tick)',
      (s) => s.checkpoints?.failedWrites ?? 0,
    );
    counter(
      'sandglass_ingest_checkpoints_dropped_total',
      'Detector checkpoints not used at start (another version or configuration, or not fitting the detector)',
      (s) => s.checkpoints?.dropped ?? 0,
    );
    counter(
      'sandglass_ingest_checkpoint_replayed_samples_total',
      'Stored samples replayed at start after the detector checkpoints',
      (s) => s.checkpoints?.replayedSamples ?? 0,
    );
    counter(
      'sandglass_ingest_duplicates_total',
      'Samples dropped as duplicate seq',
      (s) => s.intake.counters.duplicates,
    );
    counter(
      'sandglass_ingest_new_runs_total',
      'New runs started by a backward jump in data time',
      (s) => s.intake.counters.newRuns,
    );
    counter(
      'sandglass_ingest_alerts_raised_total',
      'Alert raise and escalation events',
      (s) => s.intake.counters.alertsRaised,
    );
    counter(
      'sandglass_ingest_safety_stops_total',
      'Safety stop commands published on …/command (cell config safety)',
      (s) => s.intake.counters.safetyStops,
    );
    counter(
      'sandglass_ingest_store_failures_total',
      'Failed store writes (retried)',
      () => this.storeFailures,
    );
    counter(
      'sandglass_ingest_store_refused_samples_total',
      'Samples in batches the store refused as data (kept in the dead-letter file)',
      (s) => s.drainer.refusedSamples,
    );
    counter(
      'sandglass_ingest_detector_errors_total',
      'Detector runs that threw (the samples are stored; that message went undetected)',
      (s) => s.intake.counters.detectorErrors,
    );
    counter('sandglass_ingest_model_failures_total', 'Failed model predictions', (s) => s.model.failures);
    counter(
      'sandglass_ingest_states_dropped_total',
      'Derived states not stored because the state queue was full (SANDGLASS_STATE_QUEUE_MAX)',
      (s) => s.states.dropped,
    );
    counter(
      'sandglass_ingest_rejections_unpublished_total',
      'Rejections counted but not published on …/rejected (rate limit per cell)',
      (s) => sumOf(s.intake.counters.rejected) - s.intake.counters.rejectedPublished,
    );
    counter(
      'sandglass_ingest_retained_telemetry_ignored_total',
      'Retained copies of telemetry (stale on subscribe) acknowledged and not stored again',
      (s) => s.mqtt.retainedTelemetryIgnored,
    );
    counter(
      'sandglass_ingest_not_owned_total',
      'Telemetry messages of rigs another ingest process took over (hash partitioning), stored but not judged here',
      (s) => s.mqtt.notOwnedStored,
    );
    gauge(
      'sandglass_ingest_rigs_owned',
      'Rigs this process takes (hash partitioning)',
      (s) => s.partition?.ownedRigs.size ?? 0,
    );
    counter(
      'sandglass_ingest_rigs_taken_total',
      'Rigs taken at start or from a process that left (hash partitioning)',
      (s) => s.partition?.taken ?? 0,
    );
    counter(
      'sandglass_ingest_configs_ignored_total',
      'Configuration messages not applied as sent (ingest applies the stored configuration only)',
      (s) => s.mqtt.configsIgnored,
    );
    counter(
      'sandglass_ingest_dead_letters_written_total',
      'Refused messages and batches written to the dead-letter file',
      (s) => s.deadLetters.written,
    );
    counter(
      'sandglass_ingest_dead_letters_dropped_total',
      'Refused messages not written to the dead-letter file (buffer full or write failed)',
      (s) => s.deadLetters.dropped,
    );
    new Counter({
      name: 'sandglass_ingest_rejected_total',
      help: 'Rejected messages and samples by reason',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        const s = sources();
        if (!s) return;
        this.reset();
        for (const reason of REJECT_REASONS)
          this.inc({ reason }, s.intake.counters.rejected.get(reason) ?? 0);
      },
    });
    new Counter({
      name: 'sandglass_ingest_cell_samples_total',
      help: 'Samples accepted per cell since start',
      labelNames: ['rig', 'cell'],
      registers: [registry],
      collect() {
        const s = sources();
        if (!s) return;
        this.reset();
        for (const [rig, cell, n] of s.intake.cellSampleCounts()) this.inc({ rig, cell }, n);
      },
    });
    gauge('sandglass_ingest_wal_bytes', 'Write-ahead log bytes not yet stored', (s) => s.wal.unstoredBytes);
    gauge(
      'sandglass_ingest_wal_fill_ratio',
      'Unstored WAL bytes over SANDGLASS_WAL_MAX_MB',
      (s) => s.wal.fillRatio,
    );
    gauge('sandglass_ingest_samples_spooled', 'Samples accepted by this process and not yet stored', (s) =>
      Math.max(0, s.intake.counters.samplesAccepted - s.drainer.storedSamples),
    );
    gauge('sandglass_ingest_cells', 'Cells seen since start', (s) => s.intake.cellCount);
    new Gauge({
      name: 'sandglass_store_memory_bytes',
      help: "Memory the embedded store's DuckDB holds (bounded by SANDGLASS_STORE_MEMORY_MB); absent for InfluxDB",
      registers: [registry],
      async collect() {
        const store = sources()?.store;
        if (store instanceof EmbeddedStore) this.set(await store.memoryUsage_bytes().catch(() => NaN));
      },
    });
    this.batchSeconds = new Histogram({
      name: 'sandglass_ingest_store_batch_seconds',
      help: 'Store write latency per batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }
}

function sumOf(counts: ReadonlyMap<unknown, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}
