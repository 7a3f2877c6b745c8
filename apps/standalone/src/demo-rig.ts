import type { CellConfigBody, ReplayRequest, Scenario } from '#contracts';
import type { PublisherReplayRunner } from '#replay';
import { simulateScenario } from '#simulator';

export interface DemoCell {
  cellId: string;
  scenario: Scenario;
  seed: number;
}

/** The demo rig: healthy cells beside one that depletes its electrolyte and one that soft-shorts. */
export const DEMO_RIG_ID = 'demo-rig';
export const DEMO_CELLS: readonly DemoCell[] = [
  { cellId: 'cell-01', scenario: 'healthy', seed: 11 },
  { cellId: 'cell-02', scenario: 'sand-depletion', seed: 7 },
  { cellId: 'cell-03', scenario: 'healthy', seed: 12 },
  { cellId: 'cell-04', scenario: 'soft-short', seed: 5 },
];
/** Data time × 100: a failing scenario shows its failure one to two minutes after start. */
export const DEMO_SPEED = 100;

/** Stores a cell's configuration and hands it to ingest (the api's `PUT …/config`). */
export type SaveCellConfig = (rigId: string, cellId: string, body: CellConfigBody) => Promise<unknown>;

/**
 * Starts the demo rig: configures each simulated cell as a lab would (so ingest monitors it with the
 * right physics), then replays its run in a loop.
 */
export async function startDemoRig(
  saveConfig: SaveCellConfig,
  runner: PublisherReplayRunner,
): Promise<string[]> {
  const ids: string[] = [];
  for (const cell of DEMO_CELLS) {
    const { config } = simulateScenario({ scenario: cell.scenario, seed: cell.seed });
    const { rigId: _rig, cellId: _cell, ...body } = config;
    await saveConfig(DEMO_RIG_ID, cell.cellId, body);
    const request: ReplayRequest = {
      source: { kind: 'simulator', scenario: cell.scenario, seed: cell.seed },
      rigId: DEMO_RIG_ID,
      cellId: cell.cellId,
      speed: DEMO_SPEED,
      loop: true,
    };
    ids.push((await runner.start(request)).id);
  }
  return ids;
}
