import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Environment } from '#contracts';
import helmet from 'helmet';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiModule, type ApiModuleOptions } from './api.module.js';
import { serveDashboard } from './dashboard/serve-dashboard.js';
import { RedisIoAdapter } from './live/redis-io.adapter.js';

/** apps/dashboard/dist, from apps/api/src (sources) or dist/apps/api/src (build). */
export function defaultDashboardDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const repoRoot = here.includes(`${path.sep}dist${path.sep}`)
    ? path.resolve(here, '../../../..')
    : path.resolve(here, '../../..');
  return path.join(repoRoot, 'apps/dashboard/dist');
}

export interface HttpSetupOptions {
  /** The built dashboard to serve at `/` (default apps/dashboard/dist; nothing is served if absent). */
  dashboardDir?: string;
  /** Other origins allowed to call the REST api (SANDGLASS_CORS_ORIGINS); none by default. */
  corsOrigins?: string[];
}

/**
 * The address the api binds to: SANDGLASS_HTTP_HOST, except that with authentication explicitly off
 * (local embedded use) it is 127.0.0.1 only.
 */
export function apiHost(env: Environment): string {
  return env.SANDGLASS_AUTH === 'off' ? '127.0.0.1' : env.SANDGLASS_HTTP_HOST;
}

/**
 * HTTP-level setup of an app containing ApiModule: helmet headers, the OpenAPI document at /api/docs,
 * the dashboard at `/`. (Shutdown on signals is the process's business: startApi enables Nest's hooks.)
 */
export function configureApiApp(app: NestExpressApplication, options: HttpSetupOptions = {}): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // uPlot and Swagger UI set inline styles; scripts stay same-origin only.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          // Lab installs are often plain http on a LAN address: do not make browsers try https.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  if (options.corsOrigins?.length) app.enableCors({ origin: options.corsOrigins });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sandglass api')
      .setDescription(
        'Live failure warnings for lithium-metal and solid-state cells. Live state and alerts stream on ' +
          'socket.io namespace /live (events state, alert, replay; subscribe/unsubscribe {rigId?, cellId?}).',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json' });
  const dashboardDir = options.dashboardDir ?? defaultDashboardDir();
  if (!serveDashboard(app, dashboardDir)) {
    new Logger('Api').warn(`no built dashboard in ${dashboardDir}; serving the api only`);
  }
}

export interface RunningApi {
  app: NestExpressApplication;
  /** http://host:port of the listening server. */
  url: string;
  close(): Promise<void>;
}

/** Creates, configures and starts a standalone api on SANDGLASS_HTTP_HOST:SANDGLASS_HTTP_PORT (0 = any). */
export async function startApi(
  env: Environment,
  options: ApiModuleOptions & HttpSetupOptions = {},
): Promise<RunningApi> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(env, options), {
    logger: logLevels(env.SANDGLASS_LOG_LEVEL),
  });
  configureApiApp(app, { ...options, corsOrigins: options.corsOrigins ?? env.SANDGLASS_CORS_ORIGINS });
  if (env.SANDGLASS_REDIS_URL) {
    const adapter = new RedisIoAdapter(app, env.SANDGLASS_REDIS_URL);
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
  }
  app.enableShutdownHooks();
  await app.listen(env.SANDGLASS_HTTP_PORT, apiHost(env));
  const address = app.getHttpServer().address() as { port: number };
  const host = apiHost(env) === '0.0.0.0' ? '127.0.0.1' : apiHost(env);
  return { app, url: `http://${host}:${address.port}`, close: () => app.close() };
}

const LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Nest log levels up to and including `level`. */
export function logLevels(level: Environment['SANDGLASS_LOG_LEVEL']): Array<(typeof LEVELS)[number]> {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}
