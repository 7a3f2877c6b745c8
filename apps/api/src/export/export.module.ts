import { Module } from '@nestjs/common';
import { ExportController } from './export.controller.js';
import { ExportService } from './export.service.js';

/** Export of a cell's samples and cycles (CSV, Parquet; Battery Data Format names). */
@Module({
  controllers: [ExportController],
  providers: [ExportService],
})
export class ExportModule {}
