import { Inject, Injectable, Logger } from '@nestjs/common';
import { type AlertEvent, type AlertsQuery, alertsTopic } from '#contracts';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { ConflictError, NotFoundError, UnavailableError } from '../common/domain-errors.js';
import { ApiMetrics } from '../health/api-metrics.js';
import { MQTT_BUS, type MqttBus } from '../mqtt/mqtt-bus.js';

/** The store caps one alerts query; an acknowledgement looks the id up among this many latest alerts. */
const ACK_LOOKUP_LIMIT = 10_000;

@Injectable()
export class AlertsService {
  private readonly logger = new Logger('AlertsService');

  constructor(
    @Inject(TELEMETRY_STORE) private readonly store: TelemetryStore,
    @Inject(MQTT_BUS) private readonly bus: MqttBus,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  /** Each alert's latest event, newest first. */
  list(query: AlertsQuery): Promise<AlertEvent[]> {
    return this.store.queryAlerts(query);
  }

  /**
   * Acknowledges an open alert: the same id, kind and data time `ts`, state `acknowledged`. Stored, then
   * published QoS 1 on the cell's alerts topic, where every api process (and so every dashboard) and
   * ingest hear it. Acknowledging twice returns the existing acknowledgement.
   */
  async acknowledge(id: string, acknowledgedBy: string): Promise<AlertEvent> {
    const alerts = await this.store.queryAlerts({ limit: ACK_LOOKUP_LIMIT });
    const alert = alerts.find((a) => a.id === id);
    if (!alert) throw new NotFoundError(`unknown alert ${id}`);
    if (alert.state === 'acknowledged') return alert;
    if (alert.state === 'cleared') throw new ConflictError(`alert ${id} is already cleared`);
    if (!this.bus.connected()) throw new UnavailableError('broker unavailable; alert not acknowledged');
    const acknowledged: AlertEvent = {
      ...alert,
      state: 'acknowledged',
      acknowledgedBy,
      emittedAt: Date.now(),
    };
    await this.store.writeAlerts([acknowledged]);
    await this.bus.publish(alertsTopic(alert.rigId, alert.cellId), JSON.stringify(acknowledged), { qos: 1 });
    this.metrics.alertsAcknowledged.inc();
    this.logger.log(
      `alert ${id} (${alert.kind}, ${alert.rigId}/${alert.cellId}) acknowledged by ${acknowledgedBy}`,
    );
    return acknowledged;
  }
}
