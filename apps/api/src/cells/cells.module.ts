import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module.js';
import { CellsController } from './cells.controller.js';
import { CellsService } from './cells.service.js';

/** Cells: list, latest state, configuration with derived numbers, history. */
@Module({
  imports: [LiveModule],
  controllers: [CellsController],
  providers: [CellsService],
})
export class CellsModule {}
