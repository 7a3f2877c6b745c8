import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The api's Prometheus metrics, in a registry of its own so two api instances in one process (tests,
 * or ingest + api in `npm start`) do not collide on the global one.
 */
@Injectable()
export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'sandglass_api_http_request_duration_seconds',
    help: 'REST request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  readonly mqttMessages = new Counter({
    name: 'sandglass_api_mqtt_messages_total',
    help: 'MQTT messages received by the live feed, by channel and outcome (accepted or invalid)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly liveEvents = new Counter({
    name: 'sandglass_api_live_events_total',
    help: 'socket.io events broadcast on /live, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly liveClients = new Gauge({
    name: 'sandglass_api_live_clients',
    help: 'socket.io clients connected to /live',
    registers: [this.registry],
  });

  readonly alertsAcknowledged = new Counter({
    name: 'sandglass_api_alerts_acknowledged_total',
    help: 'alerts acknowledged through the REST api',
    registers: [this.registry],
  });

  private readonly others: Registry[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sandglass_api_' });
  }

  /** Serves another registry's metrics on /metrics too (ingest's, when both run in one process). */
  include(registry: Registry): void {
    this.others.push(registry);
  }

  /** Prometheus text of the api's metrics and every included registry. */
  async text(): Promise<string> {
    const parts = await Promise.all([this.registry, ...this.others].map((r) => r.metrics()));
    return parts.join('\n');
  }
}
