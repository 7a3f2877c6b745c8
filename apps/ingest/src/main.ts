import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EnvironmentError, parseEnvironment, type Environment } from '#contracts';
import { NoFailureModel, type FailureModel } from './detection/failure-model.js';
import { loadTfFailureModel } from './detection/tf-failure-model.js';
import { IngestModule } from './ingest.module.js';

/** Standalone ingest process: `node dist/apps/ingest/src/main.js`. */
async function main(): Promise<void> {
  let env: Environment;
  try {
    env = parseEnvironment();
  } catch (error) {
    if (error instanceof EnvironmentError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = new Logger('Ingest');
  let failureModel: FailureModel = new NoFailureModel();
  if (!env.SANDGLASS_MODEL) logger.log('failure model off (SANDGLASS_MODEL=0); physics detectors only');
  else
    try {
      failureModel = await loadTfFailureModel((message) => logger.log(message));
      logger.log(`failure model ${failureModel.version} loaded (horizon ${failureModel.horizon_s} s)`);
    } catch (error) {
      logger.warn(`failure model not loaded (${String(error)}); physics detectors only`);
    }
  const app = await NestFactory.create(IngestModule.forRoot(env, { httpEndpoints: true, failureModel }), {
    logger: levelsFrom(env.SANDGLASS_LOG_LEVEL),
  });
  // Graceful stop (stop acknowledging, write the WAL, store what can be stored, close), then exit 0.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: stopping`);
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`ingest did not stop cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(env.SANDGLASS_INGEST_HTTP_PORT, env.SANDGLASS_HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.log(`health and metrics on http://${env.SANDGLASS_HTTP_HOST}:${address?.port}`);
  // A plain line a supervising process (or test) can read the port from.
  process.stdout.write(`sandglass-ingest http-port=${address?.port}\n`);
}

function levelsFrom(level: Environment['SANDGLASS_LOG_LEVEL']) {
  const all = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
