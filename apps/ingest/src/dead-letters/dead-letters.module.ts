import * as path from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { DeadLetterFile } from './dead-letter-file.js';

/** Refused messages and batches, kept under SANDGLASS_DATA_DIR/dead-letters for inspection and replay. */
@Module({
  providers: [
    {
      provide: DeadLetterFile,
      inject: [INGEST_CONFIG],
      useFactory: (config: IngestConfig) => {
        const logger = new Logger('DeadLetters');
        let failures = 0;
        const file = new DeadLetterFile(
          {
            dir: path.resolve(config.env.SANDGLASS_DATA_DIR, 'dead-letters'),
            maxBytes: config.env.SANDGLASS_DEAD_LETTER_MAX_MB * 1024 * 1024,
          },
          (error) => {
            if (failures++ % 100 === 0) logger.error(`dead-letter file not written: ${String(error)}`);
          },
        );
        file.start();
        return file;
      },
    },
  ],
  exports: [DeadLetterFile],
})
export class DeadLettersModule {}
