import { stat } from 'node:fs/promises';
import type { ReplayRequest } from '#contracts';
import { simulateScenario } from '#simulator';
import { ReplayPublisher, inBatches, type TelemetryPublishTarget } from './publisher.js';
import { openReplay, readerFor } from './read.js';
import type { ReadSummary, ReplayFormat, ReplaySample } from './types.js';

/** A replay ready to run: its publisher plus what it is reading, for progress displays. */
export interface ReplayJob {
  publisher: ReplayPublisher;
  /** "file mb.mpt (biologic: …)" or "simulator sand-depletion seed 7". */
  source: string;
  /** Rows the run holds, when known in advance (simulator runs; files: estimated from their lines). */
  rowsTotal: number | null;
  /** Reader summary of the current pass (files only). */
  summary(): ReadSummary | undefined;
}

export interface ReplayJobOptions {
  /** Wall-clock now for the default start time (epoch ms). */
  now_ms: number;
}

/**
 * Builds the publisher for a replay request — a recorded file or a simulator scenario — the same way for
 * the CLI and the API. The file's format is sniffed once (when `auto`) and reused for every loop pass.
 */
export async function createReplayJob(
  target: TelemetryPublishTarget,
  request: ReplayRequest,
  options: ReplayJobOptions,
): Promise<ReplayJob> {
  const start_ms = request.start ? Date.parse(request.start) : options.now_ms;
  const base = {
    rigId: request.rigId,
    cellId: request.cellId,
    speed: request.speed,
    start_ms,
    loop: request.loop,
  };
  const source = request.source;
  if (source.kind === 'simulator') {
    const sim = simulateScenario({ scenario: source.scenario, seed: source.seed });
    return {
      // The run is generated lazily on each pass: simulated runs can be hours of data.
      publisher: new ReplayPublisher(target, () => inBatches(sim.samples()), base),
      source: `simulator ${source.scenario} seed ${source.seed}`,
      rowsTotal: null,
      summary: () => undefined,
    };
  }
  await stat(source.path); // a clear ENOENT before anything is published
  const readerOptions = {
    ...(source.map !== undefined && { map: source.map }),
    ...(source.currentA !== undefined && { current_A: source.currentA }),
  };
  const first = await openReplay(source.path, { ...readerOptions, format: source.format });
  const format: ReplayFormat = first.format;
  let current = first.reader;
  let firstPass = true;
  const open = (): AsyncIterable<ReplaySample[]> => {
    if (!firstPass) current = readerFor(format, source.path, readerOptions);
    firstPass = false;
    return current;
  };
  return {
    publisher: new ReplayPublisher(target, open, base),
    source: `file ${source.path} (${format}: ${first.reason})`,
    rowsTotal: null,
    summary: () => current.summary,
  };
}
