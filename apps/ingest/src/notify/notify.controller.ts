import { Controller, Get, Inject, Param } from '@nestjs/common';
import { Notifier } from './notifier.js';
import type { OutboxEntry } from './outbox.js';

/** A notification as REST shows it (the body is left out: it is the alert event). */
function view(entry: OutboxEntry) {
  return {
    channel: entry.channel,
    key: entry.key,
    alertId: entry.alertId,
    state: entry.state,
    createdAt: entry.createdAt,
    attempts: entry.attempts,
    ...(entry.state === 'pending' && { nextAttemptAt: entry.nextAt }),
    ...(entry.deliveredAt !== undefined && { deliveredAt: entry.deliveredAt }),
    history: entry.history,
  };
}

/**
 * Notification history, served by the process that runs ingest (`npm start` under /api with the api's
 * authentication; a standalone ingest on its own HTTP port).
 */
@Controller('api')
export class NotifyController {
  constructor(@Inject(Notifier) private readonly notifier: Notifier) {}

  /** Every notification of an alert: channel, idempotency key, state, attempts (time, result). */
  @Get('alerts/:id/notifications')
  forAlert(@Param('id') id: string) {
    return this.notifier.history(id).map(view);
  }

  /** Notifications not delivered: pending (with the next attempt's time) and given up. */
  @Get('notify/outbox')
  outbox() {
    const undelivered = this.notifier.undelivered();
    return {
      channels: this.notifier.channelNames,
      pending: undelivered.filter((e) => e.state === 'pending').length,
      givenUp: undelivered.filter((e) => e.state === 'given-up').length,
      notifications: undelivered.map(view),
    };
  }
}
