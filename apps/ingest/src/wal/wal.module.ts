import * as path from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { DeadLetterFile, refusedBatchLetters } from '../dead-letters/dead-letter-file.js';
import { DeadLettersModule } from '../dead-letters/dead-letters.module.js';
import { INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { IngestMetrics } from '../observability/ingest-metrics.js';
import { ObservabilityModule } from '../observability/observability.module.js';
import { WalDrainer } from './wal-drainer.js';
import { WriteAheadLog } from './write-ahead-log.js';

/** The write-ahead log under SANDGLASS_DATA_DIR/wal and its drainer into the store. */
@Module({
  imports: [ObservabilityModule, DeadLettersModule],
  providers: [
    {
      provide: WriteAheadLog,
      inject: [INGEST_CONFIG],
      useFactory: (config: IngestConfig) => {
        const logger = new Logger('WriteAheadLog');
        const wal = new WriteAheadLog({
          dir: config.walDir,
          maxBytes: config.walMaxBytes,
          warn: (message) => logger.warn(message),
        });
        const from = wal.open();
        if (wal.unstoredBytes > 0) {
          logger.log(
            `replaying ${wal.unstoredBytes} bytes from ${path.basename(config.walDir)} segment ${from.segment}`,
          );
        }
        return wal;
      },
    },
    {
      provide: WalDrainer,
      inject: [WriteAheadLog, TELEMETRY_STORE, IngestMetrics, DeadLetterFile],
      useFactory: (
        wal: WriteAheadLog,
        store: TelemetryStore,
        metrics: IngestMetrics,
        deadLetters: DeadLetterFile,
      ) => {
        const logger = new Logger('WalDrainer');
        let failures = 0;
        return new WalDrainer(
          wal,
          store,
          {},
          {
            stored: (_samples, _alerts, seconds) => metrics.batchSeconds.observe(seconds),
            failed: (error, retryIn_ms) => {
              metrics.storeFailures++;
              // One line per outage, then every 20th retry: the WAL metrics tell the rest.
              if (failures++ % 20 === 0) {
                logger.warn(
                  `store write failed (${String(error)}); spooling to the WAL, retry in ${retryIn_ms} ms`,
                );
              }
            },
            refused: (error, samples, alerts) => {
              const letters = refusedBatchLetters(samples, 'store-refused', String(error), Date.now());
              for (const letter of letters) deadLetters.add(letter);
              logger.error(
                `store refused a batch of ${samples.length} samples and ${alerts.length} alerts ` +
                  `(${String(error)}); the samples are in ${deadLetters.file}`,
              );
            },
            recovered: () => {
              logger.log(`store writes succeed again after ${failures} failed attempts`);
              failures = 0;
            },
          },
        );
      },
    },
  ],
  exports: [WriteAheadLog, WalDrainer],
})
export class WalModule {}
