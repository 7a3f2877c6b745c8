import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ReplayRequest, ReplayStatus } from '#contracts';
import { createReplayJob, type ReplayJob } from './job.js';
import type { TelemetryPublishTarget } from './publisher.js';

/** A replay request the runner refuses (a file outside the allowed folders): the caller's mistake. */
export class ReplayRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayRequestError';
  }
}

/** The replay id is unknown. */
export class ReplayNotFoundError extends Error {
  constructor(id: string) {
    super(`no replay ${id}`);
    this.name = 'ReplayNotFoundError';
  }
}

export interface ReplayRunnerOptions {
  /** Folders a file replay may read from; a request naming a file elsewhere is refused. */
  allowedRoots: string[];
  /** How often running replays report progress. */
  progressInterval_ms?: number;
  /** Finished replays kept in the list. */
  keepFinished?: number;
}

interface Entry {
  id: string;
  request: ReplayRequest;
  job: ReplayJob | undefined;
  status: ReplayStatus;
}

/**
 * Runs replays inside a process (the api): starts publishers, keeps their status, and reports progress —
 * the implementation of the api's ReplayRunner port.
 */
export class PublisherReplayRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(status: ReplayStatus) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: TelemetryPublishTarget,
    private readonly options: ReplayRunnerOptions,
  ) {}

  async start(request: ReplayRequest): Promise<ReplayStatus> {
    const resolved = this.resolveSource(request);
    const id = randomUUID();
    const entry: Entry = {
      id,
      request: resolved,
      job: undefined,
      status: {
        id,
        rigId: request.rigId,
        cellId: request.cellId,
        source: describe(request),
        state: 'running',
        speed: request.speed,
        rowsPublished: 0,
        rowsTotal: null,
        dataTime: null,
      },
    };
    this.entries.set(id, entry);
    this.prune();
    try {
      entry.job = await createReplayJob(this.target, resolved, { now_ms: Date.now() });
    } catch (error) {
      entry.status = { ...entry.status, state: 'failed', error: (error as Error).message };
      this.emit(entry.status);
      return entry.status;
    }
    entry.status.source = entry.job.source;
    void entry.job.publisher.run().then(() => {
      this.refresh(entry);
      this.emit(entry.status);
      this.stopTimerIfIdle();
    });
    this.startTimer();
    this.emit(this.refresh(entry));
    return entry.status;
  }

  list(): ReplayStatus[] {
    return [...this.entries.values()].map((entry) => this.refresh(entry));
  }

  async stop(id: string): Promise<ReplayStatus> {
    const entry = this.entries.get(id);
    if (!entry) throw new ReplayNotFoundError(id);
    entry.job?.publisher.stop();
    const status = this.refresh(entry);
    this.emit(status);
    return status;
  }

  onProgress(listener: (status: ReplayStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every replay (process shutdown). */
  stopAll(): void {
    for (const entry of this.entries.values()) entry.job?.publisher.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private resolveSource(request: ReplayRequest): ReplayRequest {
    if (request.source.kind !== 'file') return request;
    const roots = this.options.allowedRoots.map((root) => path.resolve(root));
    for (const root of roots) {
      const candidate = path.resolve(root, request.source.path);
      if (candidate === root || candidate.startsWith(root + path.sep)) {
        return { ...request, source: { ...request.source, path: candidate } };
      }
    }
    throw new ReplayRequestError(
      `replay files must be inside ${roots.join(' or ') || '(no folder allowed)'}; got ${request.source.path}`,
    );
  }

  private refresh(entry: Entry): ReplayStatus {
    if (!entry.job) return entry.status;
    const progress = entry.job.publisher.progress();
    entry.status = {
      ...entry.status,
      state: progress.state,
      rowsPublished: progress.rowsPublished,
      rowsTotal: entry.job.rowsTotal,
      dataTime: progress.dataTime,
      ...(progress.error !== undefined && { error: progress.error }),
    };
    return entry.status;
  }

  private emit(status: ReplayStatus): void {
    for (const listener of this.listeners) listener(status);
  }

  private startTimer(): void {
    this.timer ??= setInterval(() => {
      for (const entry of this.entries.values()) {
        if (entry.status.state === 'running' || entry.status.state === 'paused')
          this.emit(this.refresh(entry));
      }
    }, this.options.progressInterval_ms ?? 1000);
    this.timer.unref();
  }

  private stopTimerIfIdle(): void {
    const active = [...this.entries.values()].some(
      (e) => e.status.state === 'running' || e.status.state === 'paused',
    );
    if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private prune(): void {
    const keep = this.options.keepFinished ?? 50;
    const finished = [...this.entries.values()].filter(
      (e) => !['running', 'paused'].includes(e.status.state),
    );
    for (const entry of finished.slice(0, Math.max(0, finished.length - keep))) this.entries.delete(entry.id);
  }
}

function describe(request: ReplayRequest): string {
  return request.source.kind === 'file'
    ? `file ${request.source.path}`
    : `simulator ${request.source.scenario} seed ${request.source.seed}`;
}
