import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Health, HealthSchema } from '#contracts';
import { openApiSchema } from '../common/openapi.js';
import { ApiMetrics } from './api-metrics.js';
import { HealthService } from './health.service.js';
import { Public, Requires } from '../auth/auth.guard.js';

interface StatusResponse {
  status(code: number): unknown;
}

@ApiTags('health')
/**
 * Health answers without a token (load balancers probe it). Metrics name rigs and cells: with
 * authentication on they need a token of role viewer or above (Prometheus scrapes with a viewer token,
 * `authorization: { credentials: … }`).
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  @Public()
  @Get('api/health')
  @ApiOperation({ summary: 'Store and broker checks; 503 when degraded' })
  @ApiOkResponse({ schema: openApiSchema(HealthSchema) })
  check(@Res({ passthrough: true }) response: StatusResponse): Health {
    const health = this.health.check();
    if (health.status !== 'ok') response.status(503);
    return health;
  }

  @Requires('viewer')
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
