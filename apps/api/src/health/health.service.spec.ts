import { afterEach, describe, expect, it, vi } from 'vitest';
import { Counter, Registry } from 'prom-client';
import type { TelemetryStore } from '#store';
import { InProcessBus } from '../testing/in-process-bus.js';
import { ApiMetrics } from './api-metrics.js';
import { HealthService } from './health.service.js';

/** Only `ping` is used by the health check. */
const storeAnswering = (ping: () => Promise<boolean>) => ({ ping }) as unknown as TelemetryStore;

describe('HealthService', () => {
  afterEach(() => vi.useRealTimers());

  const started = async (store: TelemetryStore, bus = new InProcessBus()) => {
    const health = new HealthService(store, bus);
    await health.onApplicationBootstrap();
    return health;
  };

  it('is ok when the store answers and the broker is connected', async () => {
    const health = await started(storeAnswering(async () => true));
    expect(health.check()).toEqual({
      status: 'ok',
      checks: { store: { ok: true }, broker: { ok: true } },
    });
    health.onModuleDestroy();
  });

  it('is degraded, saying why, when either is down', async () => {
    const bus = new InProcessBus();
    bus.up = false;
    const failing = await started(
      storeAnswering(async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
      }),
      bus,
    );
    expect(failing.check()).toEqual({
      status: 'degraded',
      checks: {
        store: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:8086' },
        broker: { ok: false, detail: 'not connected' },
      },
    });
    failing.onModuleDestroy();
    const refusing = await started(storeAnswering(async () => false));
    expect(refusing.check().checks.store).toEqual({ ok: false, detail: 'ping failed' });
    refusing.onModuleDestroy();
  });

  it('answers from memory while a ping hangs, and reports the store down once it is overdue', async () => {
    vi.useFakeTimers();
    let pings = 0;
    const health = new HealthService(
      storeAnswering(() => {
        pings++;
        return pings === 2 ? new Promise<boolean>(() => undefined) : Promise.resolve(true);
      }),
      new InProcessBus(),
    );
    await health.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(1000);
    expect(pings).toBe(2);
    // The second ping hangs: the check still answers at once, from the last result…
    expect(health.check().checks.store).toEqual({ ok: true });
    await vi.advanceTimersByTimeAsync(2100);
    // …until it is overdue; no second ping piles up meanwhile.
    expect(health.check().checks.store).toEqual({ ok: false, detail: 'no answer within 2000 ms' });
    expect(pings).toBe(2);
    // The store answers again: the next sample says so.
    await vi.advanceTimersByTimeAsync(1000);
    expect(health.check().checks.store).toEqual({ ok: true });
    health.onModuleDestroy();
  });
});

describe('ApiMetrics', () => {
  it('serves its own metrics and those of an included registry', async () => {
    const metrics = new ApiMetrics();
    metrics.alertsAcknowledged.inc();
    const other = new Registry();
    new Counter({ name: 'sandglass_ingest_samples_total', help: 'samples', registers: [other] }).inc(7);
    metrics.include(other);
    const text = await metrics.text();
    expect(text).toContain('sandglass_api_alerts_acknowledged_total 1');
    expect(text).toContain('sandglass_ingest_samples_total 7');
    expect(text).toContain('sandglass_api_process_cpu_seconds_total');
  });
});
