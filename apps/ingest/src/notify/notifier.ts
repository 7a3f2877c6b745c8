import { randomUUID } from 'node:crypto';
import type { AlertEvent, CellConfig, NotifyRoute, Silence } from '#contracts';
import { retryDelay_ms, type BackoffOptions } from './backoff.js';
import type { ChannelAdapter } from './channels.js';
import type { OutboxEntry, Outbox } from './outbox.js';
import { Router } from './routing.js';
import { idempotencyKey } from './webhook.js';

/** Result of one delivery attempt. */
export interface SendResult {
  ok: boolean;
  /** HTTP status, or SMTP reply code. */
  status?: number;
  error?: string;
}

export interface NotifierOptions {
  /** The configured channels. */
  channels: ChannelAdapter[];
  /** Which alerts go to which channels (SANDGLASS_NOTIFY_ROUTES_FILE); default: all to every channel. */
  routes?: NotifyRoute[];
  /** Active silences: a covered alert state change is recorded as `silenced` and not sent. */
  silences?: { matching(alert: AlertEvent): Silence | undefined };
  /** Dashboard address for the links in notifications. */
  dashboardBase: string;
  retry: BackoffOptions;
  /** A notification still undelivered this long after it was queued is given up at its next failure. */
  giveUp_ms: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  now?: () => number;
  random?: () => number;
}

export interface NotifierLogger {
  warn(message: string): void;
  log(message: string): void;
}

/** Plain counters read by /metrics at scrape time. */
export class NotifyCounters {
  enqueued = 0;
  delivered = 0;
  attemptsFailed = 0;
  givenUp = 0;
  /** Alert state changes offered again with a key already queued (e.g. telemetry redelivered after a crash). */
  duplicates = 0;
  /** Notifications that could not be put in the outbox (its file not writable): lost. */
  enqueueFailed = 0;
  /** Notifications not sent because a silence covered the alert. */
  silenced = 0;
  /** Notifications not sent because their route was over its rate limit. */
  rateLimited = 0;
  /** Escalations queued (a critical alert, sent to a second route unless acknowledged in time). */
  escalationsQueued = 0;
  /** Escalations not sent: the alert was acknowledged or cleared in time. */
  escalationsCancelled = 0;
  /** State changes added to a grouped message already queued (not a message of their own). */
  grouped = 0;
  /** Test sends (REST), whatever their result. */
  testSends = 0;
}

/** Result of a test send on one channel of a route. */
export interface TestSendResult extends SendResult {
  channel: string;
}

/**
 * Sends each alert state change to the configured channels, at least once: the notification is put in
 * the durable outbox first, then sent; failures are retried with exponential back-off and jitter until
 * `giveUp_ms` after it was queued, then given up (counted, kept in the outbox as history). On start the
 * pending notifications of the last run are sent. Receivers drop repeats by the `idempotency-key` header.
 */
export class Notifier {
  readonly counters = new NotifyCounters();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = true;
  private readonly channels: Map<string, ChannelAdapter>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly running = new Set<Promise<void>>();
  readonly router: Router;
  /** The grouped message still collecting, per `${channel}|${route}|${rigId}` (not kept across a restart). */
  private readonly openGroups = new Map<string, string>();

  constructor(
    private readonly outbox: Outbox,
    private readonly options: NotifierOptions,
    private readonly logger: NotifierLogger,
  ) {
    this.channels = new Map(options.channels.map((c) => [c.name, c]));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.router = new Router(
      options.routes ?? [
        {
          name: 'default',
          match: {},
          channels: options.channels.map((c) => c.name),
          escalationOnly: false,
        },
      ],
    );
  }

  /** Names of the configured channels. */
  get channelNames(): string[] {
    return [...this.channels.keys()];
  }

  start(): void {
    this.stopped = false;
    const pending = this.outbox.count('pending');
    if (pending > 0) this.logger.log(`${pending} notifications pending from the last run; sending them`);
    this.kick();
  }

  /** Stops sending; waits up to `wait_ms` for deliveries in flight (the rest stay pending in the outbox). */
  async stop(wait_ms = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, wait_ms))]);
    for (const channel of this.channels.values()) channel.close?.();
  }

  /**
   * An alert event (any state change) of a cell with configuration `config`: routed to channels, queued
   * durably, then sent. A raised critical alert also queues the escalations of its routes (held until
   * their time); its acknowledgement or clearing cancels them.
   */
  offer(alert: AlertEvent, config: CellConfig | undefined): void {
    if (this.channels.size === 0) return;
    const now = this.now();
    if (alert.state !== 'raised') this.cancelEscalations(alert);
    const silence = this.options.silences?.matching(alert);
    const key = idempotencyKey(alert);
    for (const decision of this.router.route(alert, now)) {
      const channel = this.channels.get(decision.channel);
      if (!channel) continue;
      const state = silence ? 'silenced' : decision.rateLimited ? 'rate-limited' : 'pending';
      const group_s = this.router.get(decision.route)?.group_s;
      if (state === 'pending' && group_s !== undefined && channel.buildGroup) {
        this.addToGroup(channel, decision.route, group_s, alert, config, key, now);
        continue;
      }
      this.enqueue(channel, alert, config, key, state, now, {
        route: decision.route,
        ...(silence && { silencedBy: silence.id }),
      });
    }
    if (silence) return;
    for (const plan of this.router.escalations(alert)) {
      const after_min = plan.after_ms / 60_000;
      const notice: AlertEvent = {
        ...alert,
        message: `Not acknowledged after ${after_min} min (route ${plan.from}): ${alert.message}`,
      };
      for (const name of plan.to.channels) {
        const channel = this.channels.get(name);
        if (!channel) continue;
        const queued = this.enqueue(channel, notice, config, `${alert.id}:unacknowledged`, 'pending', now, {
          route: plan.to.name,
          escalation: true,
          dueAt: now + plan.after_ms,
          nextAt: now + plan.after_ms,
        });
        if (queued) this.counters.escalationsQueued++;
      }
    }
  }

  /** Sends a test notification on every channel of the route now (not through the outbox). */
  async testSend(routeName: string): Promise<TestSendResult[] | undefined> {
    const route = this.router.get(routeName);
    if (!route) return undefined;
    const now = this.now();
    const alert: AlertEvent = {
      id: `test-${randomUUID()}`,
      rigId: 'test',
      cellId: 'test',
      kind: 'hard-short',
      severity: 'warning',
      state: 'raised',
      source: 'physics',
      ts: now,
      message: `Test notification of route ${route.name} from Sandglass: no cell is affected.`,
      evidence: {},
    };
    this.counters.testSends++;
    return Promise.all(
      route.channels.map(async (name): Promise<TestSendResult> => {
        const channel = this.channels.get(name);
        if (!channel) return { channel: name, ok: false, error: `channel ${name} not configured` };
        const body = channel.build(alert, undefined, this.options.dashboardBase);
        return { channel: name, ...(await channel.deliver(body, `${alert.id}:test`)) };
      }),
    );
  }

  /** Queues one notification; true when it was added (not a repeat, not lost). */
  private enqueue(
    channel: ChannelAdapter,
    alert: AlertEvent,
    config: CellConfig | undefined,
    key: string,
    state: 'pending' | 'silenced' | 'rate-limited',
    now: number,
    extra: Partial<OutboxEntry>,
  ): boolean {
    let added: boolean;
    try {
      added = this.outbox.add({
        id: `${channel.name}:${key}`,
        channel: channel.name,
        key,
        alertId: alert.id,
        body: channel.build(alert, config, this.options.dashboardBase),
        createdAt: now,
        state,
        attempts: 0,
        nextAt: now,
        history: [],
        ...extra,
      });
    } catch (error) {
      // Never into the detection pipeline: counted and logged, the alert itself is published and stored.
      this.counters.enqueueFailed++;
      this.logger.warn(
        `notification ${key} (${channel.name}) not queued: ${String(error)} (sandglass_notify_enqueue_failed_total)`,
      );
      return false;
    }
    if (!added) {
      this.counters.duplicates++;
      return false;
    }
    if (state === 'silenced') this.counters.silenced++;
    else if (state === 'rate-limited') this.counters.rateLimited++;
    else {
      this.counters.enqueued++;
      this.kick();
    }
    return true;
  }

  /**
   * A state change on a grouping route: added to the rig's message still collecting on this channel
   * (rebuilt and fsync'd), or the first of a new one sent `group_s` later. At most 100 per message.
   */
  private addToGroup(
    channel: ChannelAdapter,
    route: string,
    group_s: number,
    alert: AlertEvent,
    config: CellConfig | undefined,
    key: string,
    now: number,
  ): void {
    const member = { alert, ...(config && { config }) };
    const slot = `${channel.name}|${route}|${alert.rigId}`;
    const open = this.outbox.get(this.openGroups.get(slot) ?? '');
    if (
      open?.members &&
      open.state === 'pending' &&
      open.attempts === 0 &&
      open.nextAt > now &&
      !this.inFlight.has(open.id) &&
      open.members.length < 100
    ) {
      if (open.members.some((m) => idempotencyKey(m.alert) === key)) {
        this.counters.duplicates++;
        return;
      }
      const members = [...open.members, member];
      this.outbox.update(
        { ...open, members, body: channel.buildGroup!(members, this.options.dashboardBase) },
        true,
      );
      this.counters.grouped++;
      return;
    }
    const due = now + group_s * 1000;
    const added = this.enqueue(channel, alert, config, `group:${route}:${key}`, 'pending', now, {
      route,
      members: [member],
      body: channel.buildGroup!([member], this.options.dashboardBase),
      dueAt: due,
      nextAt: due,
    });
    if (added) this.openGroups.set(slot, `${channel.name}:group:${route}:${key}`);
  }

  /** An acknowledged or cleared alert: its escalations not yet sent are cancelled (durably). */
  private cancelEscalations(alert: AlertEvent): void {
    for (const entry of [...this.outbox.all()]) {
      if (
        entry.alertId !== alert.id ||
        !entry.escalation ||
        entry.state !== 'pending' ||
        entry.attempts > 0 ||
        this.inFlight.has(entry.id)
      )
        continue;
      this.outbox.update({ ...entry, state: 'cancelled' }, true);
      this.counters.escalationsCancelled++;
    }
  }

  /** Every notification of an alert, oldest first. */
  history(alertId: string): OutboxEntry[] {
    return [...this.outbox.all()]
      .filter((e) => e.alertId === alertId || e.members?.some((m) => m.alert.id === alertId))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Notifications not delivered: pending and given up, oldest first. */
  undelivered(): OutboxEntry[] {
    return [...this.outbox.all()]
      .filter((e) => e.state === 'pending' || e.state === 'given-up')
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  pendingCount(): number {
    return this.outbox.count('pending');
  }

  /** Runs a pass soon (coalesced). */
  private kick(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pass();
    });
  }

  /** Starts the due deliveries (up to the concurrency) and sets the timer for the next due one. */
  private pass(): void {
    if (this.stopped) return;
    const now = this.now();
    const concurrency = this.options.concurrency ?? 8;
    let next = Infinity;
    const due = [...this.outbox.all()]
      .filter((e) => e.state === 'pending' && !this.inFlight.has(e.id))
      .sort((a, b) => a.nextAt - b.nextAt);
    for (const entry of due) {
      if (entry.nextAt > now || this.inFlight.size >= concurrency) {
        next = Math.min(next, Math.max(entry.nextAt, now + 1));
        continue;
      }
      this.deliver(entry);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next < Infinity) {
      this.timer = setTimeout(() => this.pass(), next - now);
      this.timer.unref?.();
    }
  }

  private deliver(entry: OutboxEntry): void {
    const channel = this.channels.get(entry.channel);
    this.inFlight.add(entry.id);
    // A channel configured in an earlier run and not now: fails (and is given up in time), visibly.
    const attempt = channel
      ? channel.deliver(entry.body, entry.key)
      : Promise.resolve<SendResult>({ ok: false, error: `channel ${entry.channel} not configured` });
    const run = attempt.then((result) => {
      this.inFlight.delete(entry.id);
      this.record(entry, result);
      this.kick();
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private record(entry: OutboxEntry, result: SendResult): void {
    const at = this.now();
    const attempt = {
      at,
      ok: result.ok,
      ...(result.status !== undefined && { status: result.status }),
      ...(result.error !== undefined && { error: result.error }),
    };
    const updated: OutboxEntry = {
      ...entry,
      attempts: entry.attempts + 1,
      history: [...entry.history, attempt],
    };
    if (result.ok) {
      updated.state = 'delivered';
      updated.deliveredAt = at;
      this.counters.delivered++;
    } else if (at - (entry.dueAt ?? entry.createdAt) >= this.options.giveUp_ms) {
      updated.state = 'given-up';
      this.counters.attemptsFailed++;
      this.counters.givenUp++;
      this.logger.warn(
        `notification ${entry.key} (${entry.channel}) given up after ${updated.attempts} attempts: ` +
          `${result.status ?? result.error ?? 'failed'} (sandglass_notify_given_up_total)`,
      );
    } else {
      this.counters.attemptsFailed++;
      updated.nextAt = at + retryDelay_ms(updated.attempts, this.options.retry, this.random());
      if (updated.attempts === 1) {
        this.logger.warn(
          `notification ${entry.key} (${entry.channel}) failed (${result.status ?? result.error ?? 'failed'}); retrying`,
        );
      }
    }
    this.outbox.update(updated);
  }
}
