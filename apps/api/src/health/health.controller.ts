import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Health, HealthSchema } from '#contracts';
import { openApiSchema } from '../common/openapi.js';
import { ApiMetrics } from './api-metrics.js';
import { HealthService } from './health.service.js';
import { Public } from '../auth/auth.guard.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('health')
/** Health and metrics answer without a token: load balancers and Prometheus scrape them. */
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  @Get('api/health')
  @ApiOperation({ summary: 'Store and broker checks; 503 when degraded' })
  @ApiOkResponse({ schema: openApiSchema(HealthSchema) })
  async check(@Res({ passthrough: true }) response: StatusResponse): Promise<Health> {
    const health = await this.health.check();
    if (health.status !== 'ok') response.status(503);
    return health;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'no-store')
  async prometheus(
    @Res({ passthrough: true }) response: { type(contentType: string): unknown },
  ): Promise<string> {
    response.type(this.metrics.registry.contentType);
    return this.metrics.text();
  }
}
