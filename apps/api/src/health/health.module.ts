import { Module } from '@nestjs/common';
import { ApiMetrics } from './api-metrics.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/** `/api/health` (store and broker) and `/metrics` (Prometheus); owns the api's metrics registry. */
@Module({
  controllers: [HealthController],
  providers: [ApiMetrics, HealthService],
  exports: [ApiMetrics],
})
export class HealthModule {}
