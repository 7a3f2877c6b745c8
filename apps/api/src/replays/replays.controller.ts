import { Body, Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type ReplayRequest, ReplayRequestSchema, type ReplayStatus, ReplayStatusSchema } from '#contracts';
import { z } from 'zod';
import { ReplayNotFoundError, ReplayRequestError } from '#replay';
import { InvalidRequestError, NotFoundError } from '../common/domain-errors.js';
import { keyParam } from '../common/id-param.pipe.js';
import { openApiSchema } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { REPLAY_RUNNER, type ReplayRunner } from './replay-runner.js';

@ApiTags('replays')
@Controller('api/replays')
export class ReplaysController {
  constructor(@Inject(REPLAY_RUNNER) private readonly runner: ReplayRunner) {}

  @Post()
  @ApiOperation({ summary: 'Replay a recorded file or a simulator scenario as rig/cell at a speed' })
  @ApiBody({ schema: openApiSchema(ReplayRequestSchema, 'input') })
  @ApiResponse({ status: 201, schema: openApiSchema(ReplayStatusSchema) })
  @ApiResponse({ status: 400, description: 'invalid request, or a file outside the replay folder' })
  @ApiResponse({ status: 501, description: 'this process has no replay runner' })
  start(
    @Body(new ZodValidationPipe(ReplayRequestSchema, 'replay request')) request: ReplayRequest,
  ): Promise<ReplayStatus> {
    return this.runner.start(request).catch(asDomainError);
  }

  @Get()
  @ApiOperation({ summary: 'Replays of this process with their progress' })
  @ApiOkResponse({ schema: openApiSchema(z.array(ReplayStatusSchema)) })
  list(): ReplayStatus[] {
    return this.runner.list();
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Stop a replay' })
  @ApiOkResponse({ schema: openApiSchema(ReplayStatusSchema) })
  @ApiResponse({ status: 404, description: 'no replay with this id' })
  stop(@Param('id', keyParam('id')) id: string): Promise<ReplayStatus> {
    return this.runner.stop(id).catch(asDomainError);
  }
}

/** The replay library's refusals are the caller's mistakes: 404 for an unknown id, 400 for a bad file. */
function asDomainError(error: unknown): never {
  if (error instanceof ReplayNotFoundError) throw new NotFoundError(error.message);
  if (error instanceof ReplayRequestError) throw new InvalidRequestError(error.message, [error.message]);
  throw error;
}
