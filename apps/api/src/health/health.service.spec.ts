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

  it('is ok when the store answers and the broker is connected', async () => {
    const health = new HealthService(
      storeAnswering(async () => true),
      new InProcessBus(),
    );
    expect(await health.check()).toEqual({
      status: 'ok',
      checks: { store: { ok: true }, broker: { ok: true } },
    });
  });

  it('is degraded, saying why, when either is down', async () => {
    const bus = new InProcessBus();
    bus.up = false;
    const failing = new HealthService(
      storeAnswering(async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
      }),
      bus,
    );
    expect(await failing.check()).toEqual({
      status: 'degraded',
      checks: {
        store: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:8086' },
        broker: { ok: false, detail: 'not connected' },
      },
    });
    const refusing = new HealthService(
      storeAnswering(async () => false),
      new InProcessBus(),
    );
    expect((await refusing.check()).checks.store).toEqual({ ok: false, detail: 'ping failed' });
  });

  it('does not hang on a store that never answers', async () => {
    vi.useFakeTimers();
    const health = new HealthService(
      storeAnswering(() => new Promise<boolean>(() => undefined)),
      new InProcessBus(),
    );
    const result = health.check();
    await vi.advanceTimersByTimeAsync(2000);
    expect((await result).checks.store).toEqual({ ok: false, detail: 'no answer within 2000 ms' });
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
