import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Registry } from 'prom-client';
import { IngestHealth, type HealthReport } from './ingest-health.js';
import { IngestMetrics } from './ingest-metrics.js';

/** `GET /health` (503 when not accepting) and `GET /metrics` of a standalone ingest process. */
@Controller()
export class HealthController {
  constructor(
    @Inject(IngestHealth) private readonly health: IngestHealth,
    @Inject(IngestMetrics) private readonly metrics: IngestMetrics,
  ) {}

  @Get('health')
  check(): HealthReport {
    const report = this.health.report();
    if (report.status === 'down') throw new ServiceUnavailableException(report);
    return report;
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
