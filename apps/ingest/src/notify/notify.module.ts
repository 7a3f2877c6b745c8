import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { NotifyRoutesFileSchema, type NotifyRoute } from '#contracts';
import { INGEST_CONFIG, INGEST_METRICS_REGISTRY, type IngestConfig } from '../ingest.tokens.js';
import { ObservabilityModule } from '../observability/observability.module.js';
import { chatChannel, emailChannel, webhookChannel, type ChannelAdapter } from './channels.js';
import { Notifier } from './notifier.js';
import { NotifyController } from './notify.controller.js';
import { Outbox } from './outbox.js';
import { SilenceStore } from './silences.js';

/** Starts the notifier once the process is up (pending notifications of the last run go out) and stops it. */
@Injectable()
class NotifyLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(Notifier) private readonly notifier: Notifier) {}
  onModuleInit(): void {
    this.notifier.start();
  }
  async onModuleDestroy(): Promise<void> {
    await this.notifier.stop();
  }
}

function registerMetrics(registry: Registry, notifier: Notifier): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const c = notifier.counters;
  counter('sandglass_notify_enqueued_total', 'Alert state changes queued for notification', () => c.enqueued);
  counter(
    'sandglass_notify_delivered_total',
    'Notifications delivered (receiver answered 2xx)',
    () => c.delivered,
  );
  counter(
    'sandglass_notify_attempts_failed_total',
    'Failed delivery attempts (retried)',
    () => c.attemptsFailed,
  );
  counter(
    'sandglass_notify_given_up_total',
    'Notifications given up after SANDGLASS_NOTIFY_GIVE_UP_S',
    () => c.givenUp,
  );
  counter(
    'sandglass_notify_duplicates_total',
    'State changes offered again and not queued twice',
    () => c.duplicates,
  );
  counter(
    'sandglass_notify_silenced_total',
    'Notifications not sent: a silence covered the alert',
    () => c.silenced,
  );
  counter(
    'sandglass_notify_enqueue_failed_total',
    'Notifications lost: the outbox could not be written',
    () => c.enqueueFailed,
  );
  counter(
    'sandglass_notify_rate_limited_total',
    'Notifications not sent: their route was over its rate limit',
    () => c.rateLimited,
  );
  counter(
    'sandglass_notify_escalations_queued_total',
    'Critical alerts queued for a second route unless acknowledged in time',
    () => c.escalationsQueued,
  );
  counter(
    'sandglass_notify_escalations_cancelled_total',
    'Escalations not sent: the alert was acknowledged or cleared in time',
    () => c.escalationsCancelled,
  );
  counter('sandglass_notify_test_sends_total', 'Test sends of a route (REST)', () => c.testSends);
  new Gauge({
    name: 'sandglass_notify_pending',
    help: 'Notifications in the outbox waiting to be delivered',
    registers: [registry],
    collect() {
      this.set(notifier.pendingCount());
    },
  });
}

/**
 * Reads and checks SANDGLASS_NOTIFY_ROUTES_FILE at start-up: a route naming a channel that is not
 * configured is refused (with the variables that configure it), so a typo cannot drop alerts silently.
 */
export function loadRoutes(file: string, configured: readonly string[]): NotifyRoute[] {
  const fail = (why: string) => {
    throw new Error(`SANDGLASS_NOTIFY_ROUTES_FILE=${file}: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail((error as Error).message);
  }
  const parsed = NotifyRoutesFileSchema.safeParse(raw);
  if (!parsed.success)
    return fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const needs = {
    webhook: 'SANDGLASS_NOTIFY_WEBHOOK_URL',
    chat: 'SANDGLASS_NOTIFY_CHAT_URL',
    email: 'SANDGLASS_NOTIFY_SMTP_URL',
  };
  for (const route of parsed.data.routes)
    for (const channel of route.channels)
      if (!configured.includes(channel))
        fail(`route ${route.name}: channel ${channel} is not configured (set ${needs[channel]})`);
  return parsed.data.routes;
}

/**
 * Notifications of alert state changes (webhook, chat, e-mail), through a durable outbox under
 * SANDGLASS_DATA_DIR/notify. Lives in ingest, where alerts are raised: each alert belongs to exactly one
 * ingest process (rigs are partitioned), so nothing is sent twice by processes running side by side.
 */
@Module({
  imports: [ObservabilityModule],
  controllers: [NotifyController],
  providers: [
    {
      provide: SilenceStore,
      inject: [INGEST_CONFIG],
      useFactory: (config: IngestConfig) => {
        const store = new SilenceStore(path.resolve(config.env.SANDGLASS_DATA_DIR, 'notify'));
        store.open();
        return store;
      },
    },
    {
      provide: Notifier,
      inject: [INGEST_CONFIG, INGEST_METRICS_REGISTRY, SilenceStore],
      useFactory: (config: IngestConfig, registry: Registry, silences: SilenceStore) => {
        const { env } = config;
        const outbox = new Outbox(path.resolve(env.SANDGLASS_DATA_DIR, 'notify'));
        outbox.open();
        const timeout_ms = env.SANDGLASS_NOTIFY_TIMEOUT_MS;
        const channels: ChannelAdapter[] = [];
        // Start-up validation (contracts' environment schema) guarantees the companions of each URL.
        if (env.SANDGLASS_NOTIFY_WEBHOOK_URL && env.SANDGLASS_NOTIFY_WEBHOOK_SECRET)
          channels.push(
            webhookChannel(env.SANDGLASS_NOTIFY_WEBHOOK_URL, env.SANDGLASS_NOTIFY_WEBHOOK_SECRET, timeout_ms),
          );
        if (env.SANDGLASS_NOTIFY_CHAT_URL)
          channels.push(chatChannel(env.SANDGLASS_NOTIFY_CHAT_URL, timeout_ms));
        if (env.SANDGLASS_NOTIFY_SMTP_URL && env.SANDGLASS_NOTIFY_EMAIL_FROM && env.SANDGLASS_NOTIFY_EMAIL_TO)
          channels.push(
            emailChannel(
              env.SANDGLASS_NOTIFY_SMTP_URL,
              env.SANDGLASS_NOTIFY_EMAIL_FROM,
              env.SANDGLASS_NOTIFY_EMAIL_TO,
              timeout_ms,
            ),
          );
        const routes =
          env.SANDGLASS_NOTIFY_ROUTES_FILE === undefined
            ? undefined
            : loadRoutes(
                env.SANDGLASS_NOTIFY_ROUTES_FILE,
                channels.map((c) => c.name),
              );
        const notifier = new Notifier(
          outbox,
          {
            channels,
            ...(routes && { routes }),
            silences,
            dashboardBase: env.SANDGLASS_PUBLIC_URL ?? `http://localhost:${env.SANDGLASS_HTTP_PORT}`,
            retry: { min_ms: env.SANDGLASS_NOTIFY_RETRY_MIN_MS, max_ms: env.SANDGLASS_NOTIFY_RETRY_MAX_MS },
            giveUp_ms: env.SANDGLASS_NOTIFY_GIVE_UP_S * 1000,
          },
          new Logger('Notify'),
        );
        registerMetrics(registry, notifier);
        return notifier;
      },
    },
    NotifyLifecycle,
  ],
  exports: [Notifier],
})
export class NotifyModule {}
