import { Injectable } from '@nestjs/common';
import type { MetricSources } from './ingest-metrics.js';

/** Where the metrics read their numbers (set by the ingest lifecycle once everything is built). */
@Injectable()
export class MetricSourcesRef {
  sources: MetricSources | undefined;
}
