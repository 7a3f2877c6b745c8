import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { SilenceBodySchema, type Silence } from '#contracts';
import { Notifier } from './notifier.js';
import type { OutboxEntry } from './outbox.js';
import { SilenceRefused, SilenceStore } from './silences.js';

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
    ...(entry.silencedBy !== undefined && { silencedBy: entry.silencedBy }),
    ...(entry.route !== undefined && { route: entry.route }),
    ...(entry.escalation && { escalation: true }),
    ...(entry.dueAt !== undefined && { dueAt: entry.dueAt }),
    ...(entry.members && { groupOf: entry.members.map((m) => m.alert.id) }),
    history: entry.history,
  };
}

/**
 * Notification history, served by the process that runs ingest (`npm start` under /api with the api's
 * authentication; a standalone ingest on its own HTTP port).
 */
@Controller('api')
export class NotifyController {
  constructor(
    @Inject(Notifier) private readonly notifier: Notifier,
    @Inject(SilenceStore) private readonly silences: SilenceStore,
  ) {}

  /** Active silences (those whose end time has not passed). */
  @Get('silences')
  listSilences(): Silence[] {
    return this.silences.active();
  }

  /** A silence with an end time: notifications of matching alerts are recorded as `silenced`, not sent. */
  @Post('silences')
  @HttpCode(201)
  addSilence(@Body() body: unknown): Silence {
    const parsed = SilenceBodySchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BadRequestException({ message: `${issue.path.join('.') || 'body'}: ${issue.message}` });
    }
    try {
      return this.silences.add(parsed.data);
    } catch (error) {
      if (error instanceof SilenceRefused) throw new BadRequestException({ message: error.message });
      throw error;
    }
  }

  @Delete('silences/:id')
  @HttpCode(204)
  removeSilence(@Param('id') id: string): void {
    if (!this.silences.remove(id)) throw new NotFoundException({ message: `no active silence ${id}` });
  }

  /** The routes (SANDGLASS_NOTIFY_ROUTES_FILE, or the default one) and the configured channels. */
  @Get('notify/routes')
  routes() {
    return { channels: this.notifier.channelNames, routes: this.notifier.router.routes };
  }

  /** Sends a test notification on every channel of the route now; answers each channel's result. */
  @Post('notify/routes/:name/test')
  @HttpCode(200)
  async testSend(@Param('name') name: string) {
    const results = await this.notifier.testSend(name);
    if (!results) throw new NotFoundException({ message: `no route ${name}` });
    return { route: name, results };
  }

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
