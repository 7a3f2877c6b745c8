import { Inject, Injectable } from '@nestjs/common';
import type { Health } from '#contracts';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { MQTT_BUS, type MqttBus } from '../mqtt/mqtt-bus.js';

/** A store that does not answer within this is reported down rather than hanging the health check. */
const PING_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(TELEMETRY_STORE) private readonly store: TelemetryStore,
    @Inject(MQTT_BUS) private readonly bus: MqttBus,
  ) {}

  async check(): Promise<Health> {
    const store = await this.pingStore();
    const broker = this.bus.connected() ? { ok: true } : { ok: false, detail: 'not connected' };
    return { status: store.ok && broker.ok ? 'ok' : 'degraded', checks: { store, broker } };
  }

  private async pingStore(): Promise<{ ok: boolean; detail?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.store.ping(), timeout]);
      if (answer === 'timeout') return { ok: false, detail: `no answer within ${PING_TIMEOUT_MS} ms` };
      return answer ? { ok: true } : { ok: false, detail: 'ping failed' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
