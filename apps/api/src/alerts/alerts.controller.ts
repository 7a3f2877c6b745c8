import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type AlertEvent,
  AlertEventSchema,
  type AlertsQuery,
  AlertsQuerySchema,
  ALERT_KINDS,
} from '#contracts';
import { z } from 'zod';
import { keyParam } from '../common/id-param.pipe.js';
import { openApiSchema } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { AlertsService } from './alerts.service.js';

/** Body of `POST /api/alerts/{id}/ack` (optional: who acknowledged). */
export const AckBodySchema = z.object({
  acknowledgedBy: z.string().trim().min(1).max(128).default('operator'),
});

@ApiTags('alerts')
@Controller('api/alerts')
export class AlertsController {
  constructor(@Inject(AlertsService) private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: "Each alert's latest event, newest first" })
  @ApiQuery({ name: 'rigId', required: false })
  @ApiQuery({ name: 'cellId', required: false })
  @ApiQuery({ name: 'state', required: false, enum: ['raised', 'acknowledged', 'cleared'] })
  @ApiQuery({ name: 'since', required: false, description: 'data time, epoch ms or ISO-8601' })
  @ApiQuery({ name: 'limit', required: false, description: 'default 1000' })
  @ApiOkResponse({
    schema: openApiSchema(z.array(AlertEventSchema)),
    description: `kinds: ${ALERT_KINDS.join(', ')}`,
  })
  list(
    @Query(new ZodValidationPipe(AlertsQuerySchema, 'alerts query')) query: AlertsQuery,
  ): Promise<AlertEvent[]> {
    return this.alerts.list(query);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an alert; every dashboard sees the change' })
  @ApiBody({ schema: openApiSchema(AckBodySchema, 'input'), required: false })
  @ApiOkResponse({ schema: openApiSchema(AlertEventSchema) })
  acknowledge(
    @Param('id', keyParam('id')) id: string,
    @Body(new ZodValidationPipe(AckBodySchema, 'acknowledgement')) body: z.output<typeof AckBodySchema>,
  ): Promise<AlertEvent> {
    return this.alerts.acknowledge(id, body.acknowledgedBy);
  }
}
