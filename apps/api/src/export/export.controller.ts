import { Controller, Get, Inject, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type ExportQuery, ExportQuerySchema } from '#contracts';
import { idParam } from '../common/id-param.pipe.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { ExportService } from './export.service.js';

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

@ApiTags('cells')
@Controller('api/cells')
export class ExportController {
  constructor(@Inject(ExportService) private readonly exports: ExportService) {}

  @Get(':rigId/:cellId/export')
  @ApiParam({ name: 'rigId', description: '1–64 of A-Z a-z 0-9 _ . -' })
  @ApiParam({ name: 'cellId', description: '1–64 of A-Z a-z 0-9 _ . -' })
  @ApiOperation({
    summary:
      'Samples (or the per-cycle table) as CSV or Parquet with Battery Data Format column names, streamed',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'parquet'] })
  @ApiQuery({ name: 'table', required: false, enum: ['samples', 'cycles'] })
  @ApiQuery({ name: 'from', required: false, description: 'epoch ms or ISO-8601' })
  @ApiQuery({ name: 'to', required: false, description: 'epoch ms or ISO-8601' })
  @ApiOkResponse({ description: 'text/csv or application/vnd.apache.parquet' })
  async export(
    @Param('rigId', idParam('rigId')) rigId: string,
    @Param('cellId', idParam('cellId')) cellId: string,
    @Query(new ZodValidationPipe(ExportQuerySchema, 'export query')) query: ExportQuery,
    @Res({ passthrough: true }) response: HeaderResponse,
  ): Promise<StreamableFile> {
    const body = await this.exports.export({ rigId, cellId }, query);
    response.setHeader('cache-control', 'no-store');
    return new StreamableFile(body.stream, {
      type: body.contentType,
      disposition: `attachment; filename="${body.fileName}"`,
    });
  }
}
