import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnModuleDestroy,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { LiveGateway } from '../live/live.gateway.js';
import { LiveModule } from '../live/live.module.js';
import { REPLAY_RUNNER, type ReplayRunner, UnavailableReplayRunner } from './replay-runner.js';
import { ReplaysController } from './replays.controller.js';

/** Forwards the runner's progress to every socket.io client as `replay`. */
@Injectable()
class ReplayProgressRelay implements OnModuleInit, OnModuleDestroy {
  private undo: (() => void) | undefined;

  constructor(
    @Inject(REPLAY_RUNNER) private readonly runner: ReplayRunner,
    @Inject(LiveGateway) private readonly gateway: LiveGateway,
  ) {}

  onModuleInit(): void {
    this.undo = this.runner.onProgress((status) => this.gateway.broadcastReplay(status));
  }

  onModuleDestroy(): void {
    this.undo?.();
  }
}

/** Replays through the api: `POST/GET/DELETE /api/replays` over a ReplayRunner port. */
@Module({})
export class ReplaysModule {
  /**
   * `runner`: a provider of REPLAY_RUNNER (with `imports` for what it injects); without one, starting a
   * replay answers 501.
   */
  static forRoot(runner?: Provider, imports: NonNullable<DynamicModule['imports']> = []): DynamicModule {
    return {
      module: ReplaysModule,
      imports: [LiveModule, ...imports],
      controllers: [ReplaysController],
      providers: [
        runner ?? { provide: REPLAY_RUNNER, useClass: UnavailableReplayRunner },
        ReplayProgressRelay,
      ],
    };
  }
}
