import { Module } from '@nestjs/common';
import { INGEST_METRICS_REGISTRY } from '../ingest.tokens.js';
import { IngestMetrics } from './ingest-metrics.js';
import { MetricSourcesRef } from './metric-sources.js';

/** Ingest's Prometheus registry; the sources are attached once the pipeline exists. */
@Module({
  providers: [
    MetricSourcesRef,
    {
      provide: IngestMetrics,
      inject: [MetricSourcesRef],
      useFactory: (ref: MetricSourcesRef) => new IngestMetrics(() => ref.sources),
    },
    {
      provide: INGEST_METRICS_REGISTRY,
      inject: [IngestMetrics],
      useFactory: (m: IngestMetrics) => m.registry,
    },
  ],
  exports: [IngestMetrics, MetricSourcesRef, INGEST_METRICS_REGISTRY],
})
export class ObservabilityModule {}
