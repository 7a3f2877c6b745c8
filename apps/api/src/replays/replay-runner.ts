import type { ReplayRequest, ReplayStatus } from '#contracts';
import { NotImplementedError } from '../common/domain-errors.js';

/**
 * Port to whatever publishes recorded or simulated runs (libs/replay readers + a publisher). The api
 * only starts, lists and stops replays and forwards progress to the dashboard.
 */
export interface ReplayRunner {
  /** Starts a replay; resolves with its first status (state `running`, or `failed` with `error`). */
  start(request: ReplayRequest): Promise<ReplayStatus>;
  list(): ReplayStatus[];
  /** Stops a replay; throws NotFoundError for an unknown id. */
  stop(id: string): Promise<ReplayStatus>;
  /** Registers a listener for every status change and periodic progress; returns the way to undo it. */
  onProgress(listener: (status: ReplayStatus) => void): () => void;
}

export const REPLAY_RUNNER = Symbol('REPLAY_RUNNER');

/**
 * The runner of an api process started without one: it replays nothing and says so (501). Listing
 * answers with no replays, which is true.
 */
export class UnavailableReplayRunner implements ReplayRunner {
  private static readonly message = 'replay runner not available in this process';

  start(): Promise<ReplayStatus> {
    return Promise.reject(new NotImplementedError(UnavailableReplayRunner.message));
  }

  list(): ReplayStatus[] {
    return [];
  }

  stop(): Promise<ReplayStatus> {
    return Promise.reject(new NotImplementedError(UnavailableReplayRunner.message));
  }

  onProgress(): () => void {
    return () => undefined;
  }
}
