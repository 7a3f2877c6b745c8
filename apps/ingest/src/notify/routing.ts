import type { AlertEvent, NotifyChannelName, NotifyRoute } from '#contracts';

/** True when every field the route's match gives matches the alert. Pure. */
export function routeMatches(route: NotifyRoute, alert: AlertEvent): boolean {
  const m = route.match;
  return (
    !route.escalationOnly &&
    (m.rigId === undefined || m.rigId.includes(alert.rigId)) &&
    (m.cellId === undefined || m.cellId.includes(alert.cellId)) &&
    (m.kind === undefined || m.kind.includes(alert.kind)) &&
    (m.minSeverity !== 'critical' || alert.severity === 'critical')
  );
}

/** Where one alert state change goes on one channel: the route that sends it, or that limited it. */
export interface ChannelDecision {
  channel: NotifyChannelName;
  route: string;
  /** Every matching route with this channel was over its rate limit: not sent. */
  rateLimited: boolean;
}

/** A second route to send a critical alert to unless it is acknowledged or cleared within `after_ms`. */
export interface EscalationPlan {
  from: string;
  to: NotifyRoute;
  after_ms: number;
}

/**
 * Routing of alert state changes to channels: every matching route (in file order) contributes its
 * channels; a channel gets one notification however many routes name it. A route's rate limit is a
 * sliding window of its last `max` send times (memory bounded by `max`; not kept across a restart).
 */
export class Router {
  private readonly sent = new Map<string, number[]>();
  private readonly byName: Map<string, NotifyRoute>;

  constructor(readonly routes: readonly NotifyRoute[]) {
    this.byName = new Map(routes.map((r) => [r.name, r]));
  }

  get(name: string): NotifyRoute | undefined {
    return this.byName.get(name);
  }

  /** The channels an alert state change at wall time `now_ms` goes to; takes from the rate limits. */
  route(alert: AlertEvent, now_ms: number): ChannelDecision[] {
    const decisions = new Map<NotifyChannelName, ChannelDecision>();
    for (const route of this.routes) {
      if (!routeMatches(route, alert)) continue;
      const allowed = this.take(route, now_ms);
      for (const channel of route.channels) {
        const before = decisions.get(channel);
        if (!before || (before.rateLimited && allowed))
          decisions.set(channel, { channel, route: route.name, rateLimited: !allowed });
      }
    }
    return [...decisions.values()];
  }

  /** Escalations a raised critical alert starts (one per matching route that has `escalate`). */
  escalations(alert: AlertEvent): EscalationPlan[] {
    if (alert.state !== 'raised' || alert.severity !== 'critical') return [];
    const plans: EscalationPlan[] = [];
    for (const route of this.routes) {
      const to = route.escalate && this.byName.get(route.escalate.to);
      if (to && routeMatches(route, alert))
        plans.push({ from: route.name, to, after_ms: route.escalate!.after_min * 60_000 });
    }
    return plans;
  }

  /** One send on the route at `now_ms` if its rate limit allows it. */
  private take(route: NotifyRoute, now_ms: number): boolean {
    const limit = route.rateLimit;
    if (!limit) return true;
    const times = this.sent.get(route.name) ?? [];
    while (times.length > 0 && times[0]! <= now_ms - limit.per_s * 1000) times.shift();
    if (times.length >= limit.max) return false;
    times.push(now_ms);
    this.sent.set(route.name, times);
    return true;
  }
}
