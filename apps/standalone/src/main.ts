import 'reflect-metadata';
import path from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EnvironmentError, parseEnvironment, type Environment } from '#contracts';
import { generateToken, hashToken } from '#auth';
import { createEmbeddedBroker, type EmbeddedBroker } from '#broker';
import { PublisherReplayRunner } from '#replay';
import { StorageModule } from '#store';
import {
  ApiMetrics,
  ApiModule,
  AuthPolicy,
  apiHost,
  CellsService,
  configureApiApp,
  logLevels,
  publisherReplayRunner,
  REPLAY_RUNNER,
} from '#api';
import {
  INGEST_METRICS_REGISTRY,
  IngestModule,
  loadTfFailureModel,
  MqttIntake,
  NoFailureModel,
  type FailureModel,
} from '#ingest';
import type { Registry } from 'prom-client';
import { brokerMetrics, listenAddresses, mqttHost } from './embedded-broker-setup.js';
import { DEMO_CELLS, DEMO_RIG_ID, DEMO_SPEED, startDemoRig } from './demo-rig.js';

function rootModule(
  env: Environment,
  mqttUrl: string,
  failureModel: FailureModel,
  authPolicy: AuthPolicy,
  broker: EmbeddedBroker | undefined,
): DynamicModule {
  const storage = StorageModule.forRoot(env);
  @Module({})
  class SandglassModule {}
  return {
    module: SandglassModule,
    imports: [
      storage,
      IngestModule.forRoot(env, {
        mqttUrl,
        provideStore: false,
        failureModel,
        ...(broker && { telemetrySource: broker }),
      }),
      ApiModule.forRoot(env, {
        authPolicy,
        storage,
        mqttUrl,
        replayRunner: publisherReplayRunner(env),
      }),
    ],
  };
}

/** The whole shutdown (listener, replays, ingest's drain, api, broker) ends within this. */
const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * `npm start`: the embedded broker (unless SANDGLASS_MQTT_URL), the store, ingest, the api with the
 * dashboard, and the demo rig (unless SANDGLASS_DEMO=0) — all in one process.
 *
 * Order: the embedded broker starts with only its loopback listener (this process's own clients); ingest
 * replays its WAL, loads the store and takes telemetry from the broker in-process; only then does the
 * rigs' listener open. Shutdown closes that listener first, so nothing is acknowledged that ingest has
 * not written to its WAL.
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
    broker = await createEmbeddedBroker({
      port: env.SANDGLASS_MQTT_PORT,
      host: mqttHost(env),
      sessionDir: path.resolve(env.SANDGLASS_DATA_DIR, 'broker'),
      ...(registry && { registry }),
    });
  }
  const mqttUrl = env.SANDGLASS_MQTT_URL ?? broker!.internalUrl;

  let failureModel: FailureModel = new NoFailureModel();
  if (!env.SANDGLASS_MODEL) logger.log('failure model off (SANDGLASS_MODEL=0); physics detectors only');
  else
    try {
      failureModel = await loadTfFailureModel((message) => logger.log(message));
    } catch (error) {
      logger.warn(`failure model not loaded (${String(error)}); physics detectors only`);
    }

  const app = await NestFactory.create<NestExpressApplication>(
    rootModule(env, mqttUrl, failureModel, authPolicy, broker),
    {
      logger: logLevels(env.SANDGLASS_LOG_LEVEL),
    },
  );
  configureApiApp(app, { ...(env.SANDGLASS_CORS_ORIGINS && { corsOrigins: env.SANDGLASS_CORS_ORIGINS }) });
  // One /metrics for the whole process: the api's, ingest's and the embedded broker's.
  const metrics = app.get(ApiMetrics);
  metrics.include(app.get<Registry>(INGEST_METRICS_REGISTRY));
  if (broker) metrics.include(brokerMetrics(broker));
  // Ingest is ready once the app is (its WAL replayed, configurations loaded, telemetry sink attached).
  await app.listen(env.SANDGLASS_HTTP_PORT, apiHost(env));
  const port = (app.getHttpServer().address() as { port: number }).port;
  let rigsUrl = env.SANDGLASS_MQTT_URL;
  if (broker) {
    const address = await broker.listen();
    rigsUrl = address.url;
    if (broker.movedFromPreferredPort) {
      logger.warn(`port ${env.SANDGLASS_MQTT_PORT} is taken; the embedded MQTT broker uses ${address.port}`);
    }
  }

  if (env.SANDGLASS_DEMO) {
    const runner = app.get<PublisherReplayRunner>(REPLAY_RUNNER);
    const cells = app.get(CellsService);
    await startDemoRig((rigId, cellId, body) => cells.putConfig(rigId, cellId, body), runner);
  }

  // The one thing `npm start` prints for people, not as a log line.
  const httpUrls = listenAddresses(apiHost(env)).map((h) => `http://${h}:${port}`);
  const mqttUrls = broker?.address
    ? listenAddresses(broker.address.host).map((h) => `mqtt://${h}:${broker.address!.port}`)
    : [rigsUrl!];
  process.stdout.write(
    [
      '',
      '  Sandglass is running',
      `  dashboard   ${httpUrls.join('  ')}`,
      `  MQTT        ${mqttUrls.join('  ')}   (rigs publish on sandglass/v1/{rig}/{cell}/telemetry)`,
      `  store       ${env.SANDGLASS_INFLUX_URL ? `${env.SANDGLASS_INFLUX_URL} db ${env.SANDGLASS_INFLUX_DB}` : path.resolve(env.SANDGLASS_DATA_DIR)}`,
      env.SANDGLASS_DEMO
        ? `  demo rig    ${DEMO_RIG_ID}: ${DEMO_CELLS.map((c) => `${c.cellId} (${c.scenario})`).join(', ')} at ${DEMO_SPEED}x`
        : '  demo rig    off',
      '  Ctrl-C stops it cleanly.',
      '',
    ].join('\n') + '\n',
  );

  // Ctrl-C: close the rigs' listener (nothing more is acknowledged), stop replays, close the app (ingest
  // flushes its WAL and stores what it can in a few seconds), then the broker. A second Ctrl-C, or
  // SHUTDOWN_LIMIT_MS, ends the process at once; what was not stored is in the WAL for the next start.
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.log(`${signal}: shutting down`);
    process.once(signal, () => process.exit(130));
    const intake = app.get(MqttIntake);
    setTimeout(() => {
      // Once ingest wrote everything it acknowledged to its WAL, ending here loses nothing: the next
      // start stores the rest. Before that (it cannot take 10 s unless the disk hangs) it is a failure.
      const safe = intake.acknowledgedAllWritten;
      logger.warn(
        `shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s; exiting` +
          (safe ? ' (everything acknowledged is in the WAL; the next start stores the rest)' : ''),
      );
      process.exit(safe ? 0 : 1);
    }, SHUTDOWN_LIMIT_MS).unref();
    const started = performance.now();
    const took = () => `${Math.round(performance.now() - started)} ms`;
    await broker?.closeListener();
    app.get<PublisherReplayRunner>(REPLAY_RUNNER).stopAll();
    logger.log(`rigs' listener closed, replays stopped (${took()})`);
    await app.close();
    logger.log(`ingest and api closed (${took()})`);
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
