import 'reflect-metadata';
import path from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EnvironmentError, parseEnvironment, type Environment } from '#contracts';
import { generateToken, hashToken } from '#auth';
import { startEmbeddedBroker, type EmbeddedBroker } from '#broker';
import { PublisherReplayRunner } from '#replay';
import { StorageModule } from '#store';
import { ApiModule } from '../../api/src/api.module.js';
import { CellsService } from '../../api/src/cells/cells.service.js';
import { AuthPolicy } from '../../api/src/auth/auth-policy.js';
import { apiHost, configureApiApp, logLevels } from '../../api/src/bootstrap.js';
import { REPLAY_RUNNER } from '../../api/src/replays/replay-runner.js';
import { publisherReplayRunner } from '../../api/src/replays/publisher-runner.provider.js';
import { ApiMetrics } from '../../api/src/health/api-metrics.js';
import { NoFailureModel, type FailureModel } from '../../ingest/src/detection/failure-model.js';
import { loadTfFailureModel } from '../../ingest/src/detection/tf-failure-model.js';
import { INGEST_METRICS_REGISTRY } from '../../ingest/src/ingest.tokens.js';
import { IngestModule } from '../../ingest/src/ingest.module.js';
import type { Registry } from 'prom-client';
import { DEMO_CELLS, DEMO_RIG_ID, DEMO_SPEED, startDemoRig } from './demo-rig.js';

function rootModule(
  env: Environment,
  mqttUrl: string,
  failureModel: FailureModel,
  authPolicy: AuthPolicy,
): DynamicModule {
  const storage = StorageModule.forRoot(env);
  @Module({})
  class SandglassModule {}
  return {
    module: SandglassModule,
    imports: [
      storage,
      IngestModule.forRoot(env, { mqttUrl, provideStore: false, failureModel }),
      ApiModule.forRoot(env, {
        authPolicy,
        storage,
        mqttUrl,
        replayRunner: publisherReplayRunner(env),
      }),
    ],
  };
}

/**
 * `npm start`: the embedded broker (unless SANDGLASS_MQTT_URL), the store, ingest, the api with the
 * dashboard, and the demo rig (unless SANDGLASS_DEMO=0) — all in one process.
 */
async function main(): Promise<void> {
  let env = parseEnvironment();
  const logger = new Logger('Sandglass');
  const authPolicy = AuthPolicy.fromEnvironment(env);
  let broker: EmbeddedBroker | undefined;
  if (!env.SANDGLASS_MQTT_URL) {
    // With tokens, rigs on the network log in (a rig only under its own topics) and this process's own
    // clients use a random service token; with auth off, the broker listens on this machine only.
    let registry;
    if (authPolicy.enabled) {
      const serviceToken = generateToken();
      authPolicy.registry.add({
        name: 'sandglass-service',
        role: 'service',
        sha256: hashToken(serviceToken),
      });
      registry = authPolicy.registry;
      env = { ...env, SANDGLASS_MQTT_USERNAME: 'sandglass-service', SANDGLASS_MQTT_PASSWORD: serviceToken };
    }
    broker = await startEmbeddedBroker({
      port: env.SANDGLASS_MQTT_PORT,
      host: authPolicy.enabled ? env.SANDGLASS_HTTP_HOST : '127.0.0.1',
      ...(registry && { registry }),
    });
    if (broker.movedFromPreferredPort) {
      logger.warn(`port ${env.SANDGLASS_MQTT_PORT} is taken; the embedded MQTT broker uses ${broker.port}`);
    }
  }
  const mqttUrl = env.SANDGLASS_MQTT_URL ?? broker!.url;
  let failureModel: FailureModel = new NoFailureModel();
  try {
    failureModel = await loadTfFailureModel((message) => logger.log(message));
  } catch (error) {
    logger.warn(`failure model not loaded (${String(error)}); physics detectors only`);
  }
  const app = await NestFactory.create<NestExpressApplication>(
    rootModule(env, mqttUrl, failureModel, authPolicy),
    {
      logger: logLevels(env.SANDGLASS_LOG_LEVEL),
    },
  );
  configureApiApp(app, { ...(env.SANDGLASS_CORS_ORIGINS && { corsOrigins: env.SANDGLASS_CORS_ORIGINS }) });
  // One /metrics for the whole process: the api's and ingest's registries.
  app.get(ApiMetrics).include(app.get<Registry>(INGEST_METRICS_REGISTRY));
  await app.listen(env.SANDGLASS_HTTP_PORT, apiHost(env));
  const port = (app.getHttpServer().address() as { port: number }).port;
  const host = apiHost(env) === '0.0.0.0' ? 'localhost' : apiHost(env);

  if (env.SANDGLASS_DEMO) {
    const runner = app.get<PublisherReplayRunner>(REPLAY_RUNNER);

    const cells = app.get(CellsService);
    await startDemoRig((rigId, cellId, body) => cells.putConfig(rigId, cellId, body), runner);
  }
  // The one thing `npm start` prints for people, not as a log line.
  process.stdout.write(
    [
      '',
      '  Sandglass is running',
      `  dashboard   http://${host}:${port}`,
      `  MQTT        ${mqttUrl}   (rigs publish on sandglass/v1/{rig}/{cell}/telemetry)`,
      `  store       ${env.SANDGLASS_INFLUX_URL ? `${env.SANDGLASS_INFLUX_URL} db ${env.SANDGLASS_INFLUX_DB}` : path.resolve(env.SANDGLASS_DATA_DIR)}`,
      env.SANDGLASS_DEMO
        ? `  demo rig    ${DEMO_RIG_ID}: ${DEMO_CELLS.map((c) => `${c.cellId} (${c.scenario})`).join(', ')} at ${DEMO_SPEED}x`
        : '  demo rig    off',
      '  Ctrl-C stops it cleanly.',
      '',
    ].join('\n') + '\n',
  );
  // Ctrl-C: stop replays, close the app (ingest stops acking, flushes its WAL into the store), then the
  // broker; a second Ctrl-C ends the process at once.
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: shutting down`);
    process.once(signal, () => process.exit(130));
    app.get<PublisherReplayRunner>(REPLAY_RUNNER).stopAll();
    await app.close();
    await broker?.close();
    process.exit(0);
  };
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  const message =
    error instanceof EnvironmentError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`sandglass: ${message}\n`);
  process.exit(error instanceof EnvironmentError ? 2 : 1);
});
