import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Health } from '#contracts';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { MQTT_BUS, type MqttBus } from '../mqtt/mqtt-bus.js';

/** A store that does not answer within this is reported down rather than hanging the sampler. */
const PING_TIMEOUT_MS = 2000;
/** The store is pinged this often in the background; `GET /api/health` answers from the last result. */
export const STORE_SAMPLE_INTERVAL_MS = 1000;

type Check = Health['checks'][string];

/**
 * Health from memory: the store is pinged in the background (one ping in flight at a time) and the
 * check reports the last answer, so `/api/health` answers at once even while ingest saturates the
 * store. A ping that hangs shows up as soon as it is older than PING_TIMEOUT_MS.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap, OnModuleDestroy {
  private store: Check = { ok: false, detail: 'not checked yet' };
  private pingStarted_ms: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    @Inject(TELEMETRY_STORE) private readonly telemetryStore: TelemetryStore,
    @Inject(MQTT_BUS) private readonly bus: MqttBus,
  ) {}

  /** Wall clock (tests replace it). */
  now: () => number = Date.now;

  /** Starts sampling and waits (bounded) for the first answer, so a fresh process reports truthfully. */
  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.sample(), STORE_SAMPLE_INTERVAL_MS);
    this.timer.unref();
    await this.sample();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  check(): Health {
    let store = this.store;
    if (this.pingStarted_ms !== undefined && this.now() - this.pingStarted_ms > PING_TIMEOUT_MS) {
      store = { ok: false, detail: `no answer within ${PING_TIMEOUT_MS} ms` };
    }
    const broker = this.bus.connected() ? { ok: true } : { ok: false, detail: 'not connected' };
    return { status: store.ok && broker.ok ? 'ok' : 'degraded', checks: { store, broker } };
  }

  /** One background ping (skipped while the previous one is still waiting). */
  sample(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.pingStarted_ms = this.now();
    const ping = this.pingStore().then((result) => {
      this.store = result;
      this.pingStarted_ms = undefined;
      this.inFlight = undefined;
    });
    this.inFlight = ping;
    return ping;
  }

  private async pingStore(): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.telemetryStore.ping(), timeout]);
      if (answer === 'timeout') return { ok: false, detail: `no answer within ${PING_TIMEOUT_MS} ms` };
      return answer ? { ok: true } : { ok: false, detail: 'ping failed' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
