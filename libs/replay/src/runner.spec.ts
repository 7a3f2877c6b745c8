import { describe, expect, it } from 'vitest';
import type { ReplayStatus } from '#contracts';
import { PublisherReplayRunner, ReplayNotFoundError, ReplayRequestError } from './runner.js';

function recordingTarget() {
  const payloads: string[] = [];
  return { payloads, publishAsync: async (_topic: string, payload: string) => void payloads.push(payload) };
}

describe('PublisherReplayRunner', () => {
  it('runs a simulator replay to the end and reports its progress', async () => {
    const target = recordingTarget();
    const runner = new PublisherReplayRunner(target, { allowedRoots: [], progressInterval_ms: 5 });
    const events: ReplayStatus[] = [];
    runner.onProgress((s) => events.push(s));
    const first = await runner.start({
      source: { kind: 'simulator', scenario: 'hard-short', seed: 2 },
      rigId: 'r',
      cellId: 'c',
      speed: 'max',
      loop: false,
    });
    expect(first.state).toBe('running');
    await expect.poll(() => runner.list()[0]?.state, { timeout: 20_000 }).toBe('finished');
    const final = runner.list()[0]!;
    expect(final.rowsPublished).toBeGreaterThan(1000);
    expect(target.payloads.reduce((n, p) => n + (JSON.parse(p) as unknown[]).length, 0)).toBe(
      final.rowsPublished,
    );
    expect(events.at(-1)).toMatchObject({
      id: first.id,
      state: 'finished',
      rowsPublished: final.rowsPublished,
    });
  });

  it('stops a replay on request and refuses unknown ids', async () => {
    const runner = new PublisherReplayRunner(recordingTarget(), { allowedRoots: [] });
    const { id } = await runner.start({
      source: { kind: 'simulator', scenario: 'healthy', seed: 1 },
      rigId: 'r',
      cellId: 'c',
      speed: 1,
      loop: false,
    });
    expect((await runner.stop(id)).state).toBe('stopped');
    await expect(runner.stop('nope')).rejects.toBeInstanceOf(ReplayNotFoundError);
  });

  it('reads files only inside the allowed folders, and reports a missing one as failed', async () => {
    const runner = new PublisherReplayRunner(recordingTarget(), { allowedRoots: ['/tmp/replays-allowed'] });
    const request = (p: string) => ({
      source: { kind: 'file' as const, path: p, format: 'auto' as const },
      rigId: 'r',
      cellId: 'c',
      speed: 'max' as const,
      loop: false,
    });
    await expect(runner.start(request('/etc/passwd'))).rejects.toBeInstanceOf(ReplayRequestError);
    await expect(runner.start(request('../../etc/passwd'))).rejects.toBeInstanceOf(ReplayRequestError);
    const missing = await runner.start(request('missing.mpt'));
    expect(missing.state).toBe('failed');
    expect(missing.error).toContain('ENOENT');
  });
});
