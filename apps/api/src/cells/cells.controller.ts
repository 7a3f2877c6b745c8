import { applyDecorators, Body, Controller, Get, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type CellConfigBody,
  CellConfigBodySchema,
  CellConfigSchema,
  type CellSummary,
  CellSummarySchema,
  type CycleSummary,
  CycleSummarySchema,
  type TelemetryPoint,
  TelemetryPointSchema,
  type TelemetryQuery,
  TelemetryQuerySchema,
} from '#contracts';
import { z } from 'zod';
import { idParam } from '../common/id-param.pipe.js';
import { openApiSchema } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { DerivedNumbersSchema } from './derived.js';
import { type CellConfigView, CellsService } from './cells.service.js';

const CellConfigViewSchema = z.object({
  config: CellConfigSchema,
  configured: z.boolean(),
  derived: DerivedNumbersSchema,
});

/** The part of express's response `GET /api/cells` uses (send computes the ETag, answers 304). */
interface JsonBytesResponse {
  type(contentType: string): { send(body: Buffer): unknown };
}

const CellParams = () =>
  applyDecorators(
    ApiParam({ name: 'rigId', description: '1–64 of A-Z a-z 0-9 _ . -' }),
    ApiParam({ name: 'cellId', description: '1–64 of A-Z a-z 0-9 _ . -' }),
  );

@ApiTags('cells')
@Controller('api/cells')
export class CellsController {
  constructor(@Inject(CellsService) private readonly cells: CellsService) {}

  @Get()
  @ApiOperation({ summary: 'Known cells with their latest state' })
  @ApiOkResponse({ schema: openApiSchema(z.array(CellSummarySchema)) })
  async list(@Res() response: JsonBytesResponse): Promise<void> {
    // Already JSON bytes (serialised per cell and reused, see CellsService.listJson); express adds the
    // ETag and answers 304 to a matching If-None-Match.
    response.type('application/json').send(await this.cells.listJson());
  }

  @Get(':rigId/:cellId')
  @CellParams()
  @ApiOperation({ summary: 'One cell with its latest state' })
  @ApiOkResponse({ schema: openApiSchema(CellSummarySchema) })
  get(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
  ): Promise<CellSummary> {
    return this.cells.get(rigId, cellId);
  }

  @Get(':rigId/:cellId/config')
  @CellParams()
  @ApiOperation({
    summary: "The cell's physical configuration (the default one if none is stored) and derived numbers",
  })
  @ApiOkResponse({ schema: openApiSchema(CellConfigViewSchema) })
  getConfig(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
  ): Promise<CellConfigView> {
    return this.cells.getConfig(rigId, cellId);
  }

  @Put(':rigId/:cellId/config')
  @CellParams()
  @ApiOperation({ summary: 'Store the configuration (lab units, presets allowed); ingest applies it live' })
  @ApiBody({ schema: openApiSchema(CellConfigBodySchema, 'input') })
  @ApiOkResponse({ schema: openApiSchema(CellConfigViewSchema) })
  putConfig(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
    @Body(new ZodValidationPipe(CellConfigBodySchema, 'cell configuration')) body: CellConfigBody,
  ): Promise<CellConfigView> {
    return this.cells.putConfig(rigId, cellId, body);
  }

  @Get(':rigId/:cellId/telemetry')
  @CellParams()
  @ApiOperation({ summary: 'History, oldest first; `every` downsamples to means server-side' })
  @ApiQuery({ name: 'from', required: false, description: 'epoch ms or ISO-8601' })
  @ApiQuery({ name: 'to', required: false, description: 'epoch ms or ISO-8601' })
  @ApiQuery({ name: 'every', required: false, description: 'bucket width, e.g. 500ms, 10s, 5m' })
  @ApiQuery({ name: 'limit', required: false, description: 'most points returned (default 10000)' })
  @ApiOkResponse({ schema: openApiSchema(z.array(TelemetryPointSchema)) })
  telemetry(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
    @Query(new ZodValidationPipe(TelemetryQuerySchema, 'telemetry query')) query: TelemetryQuery,
  ): Promise<TelemetryPoint[]> {
    return this.cells.telemetry(rigId, cellId, query);
  }

  @Get(':rigId/:cellId/cycles')
  @CellParams()
  @ApiOperation({
    summary:
      'Completed cycles by number: capacities (mAh), coulombic efficiency (fraction), energies (mWh), polarization (V)',
  })
  @ApiOkResponse({ schema: openApiSchema(z.array(CycleSummarySchema)) })
  cycles(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
  ): Promise<CycleSummary[]> {
    return this.cells.cycles(rigId, cellId);
  }
}
