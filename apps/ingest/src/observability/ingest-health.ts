import type { MqttConnection, MqttIntake } from '../intake/mqtt-intake.js';
import type { WalDrainer } from '../wal/wal-drainer.js';
import type { WriteAheadLog } from '../wal/write-ahead-log.js';

export interface HealthReport {
  /** `ok`; `degraded` (broker or store unreachable, WAL over half full: still safe); `down` (not accepting). */
  status: 'ok' | 'degraded' | 'down';
  mqtt: { connected: boolean };
  store: { writing: boolean };
  wal: { unstoredBytes: number; fillRatio: number; full: boolean; failed: boolean };
  samples: { accepted: number; stored: number };
}

/** Health of an ingest instance, from the parts it is made of. */
export class IngestHealth {
  constructor(
    private readonly connection: MqttConnection,
    private readonly intake: MqttIntake,
    private readonly wal: WriteAheadLog,
    private readonly drainer: WalDrainer,
    private readonly accepted: () => number,
  ) {}

  report(): HealthReport {
    const wal = {
      unstoredBytes: this.wal.unstoredBytes,
      fillRatio: Number(this.wal.fillRatio.toFixed(4)),
      full: this.wal.isFull,
      failed: this.intake.walFailed,
    };
    const writing = !this.drainer.storeFailing;
    const connected = this.connection.connected;
    const status =
      wal.failed || wal.full ? 'down' : !connected || !writing || wal.fillRatio > 0.5 ? 'degraded' : 'ok';
    return {
      status,
      mqtt: { connected },
      store: { writing },
      wal,
      samples: { accepted: this.accepted(), stored: this.drainer.storedSamples },
    };
  }
}
