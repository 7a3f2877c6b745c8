import { describe, expect, it } from 'vitest';
import type { Sample } from '#contracts';
import { ReplayPublisher, inBatches, type TelemetryPublishTarget } from './publisher.js';
import type { ReplaySample } from './types.js';

/** A clock whose sleeps advance time instantly, and a target that records what was published when. */
function harness(failAt = Infinity) {
  let now = 0;
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
  const messages: { topic: string; at: number; samples: Sample[] }[] = [];
  const target: TelemetryPublishTarget = {
    publishAsync: async (topic, payload) => {
      if (messages.length >= failAt) throw new Error('broker gone');
      messages.push({ topic, at: now, samples: JSON.parse(payload) as Sample[] });
    },
  };
  return { clock, messages, target, advance: (ms: number) => (now += ms) };
}

/** A run of `n` rows one second apart, galvanostatic at 1 mA with a linear voltage. */
function run(n: number): () => AsyncIterable<ReplaySample[]> {
  const rows = Array.from({ length: n }, (_, k) => ({ time_s: k, v: 0.01 + k * 1e-5, i: 0.001 }));
  return () => inBatches(rows, 7);
}

const START = Date.UTC(2026, 10, 25);

describe('ReplayPublisher', () => {
  it('paces rows in data time × speed and stamps them from the start time', async () => {
    const h = harness();
    const publisher = new ReplayPublisher(h.target, run(101), {
      rigId: 'r1',
      cellId: 'c1',
      speed: 10,
      start_ms: START,
      clock: h.clock,
    });
    const result = await publisher.run();
    expect(result.state).toBe('finished');
    expect(result.rowsPublished).toBe(101);
    const samples = h.messages.flatMap((m) => m.samples);
    expect(samples.map((s) => s.seq)).toEqual(Array.from({ length: 101 }, (_, k) => k));
    expect(samples[0]?.ts).toBe(START);
    expect(samples[100]?.ts).toBe(START + 100_000);
    // 100 s of data at 10× take 10 s of wall time; each row leaves no earlier than its due time.
    for (const message of h.messages) {
      const first = message.samples[0]!;
      expect(message.at).toBeGreaterThanOrEqual((first.ts - START) / 10 - 20);
    }
    expect(h.messages.at(-1)!.at).toBeCloseTo(10_000, -2);
    expect(h.messages.every((m) => m.topic === 'sandglass/v1/r1/c1/telemetry')).toBe(true);
  });

  it('sends batches as fast as possible at max speed', async () => {
    const h = harness();
    const publisher = new ReplayPublisher(h.target, run(1234), {
      rigId: 'r1',
      cellId: 'c1',
      speed: 'max',
      start_ms: START,
      batchSize: 500,
      clock: h.clock,
    });
    await publisher.run();
    expect(h.messages.map((m) => m.samples.length)).toEqual([500, 500, 234]);
  });

  it('loops with data time moving forward', async () => {
    const h = harness();
    let passes = 0;
    const publisher = new ReplayPublisher(
      h.target,
      () => {
        if (++passes === 3) publisher.stop();
        return run(11)();
      },
      { rigId: 'r', cellId: 'c', speed: 'max', start_ms: START, loop: true, clock: h.clock },
    );
    const result = await publisher.run();
    expect(result.state).toBe('stopped');
    const ts = h.messages.flatMap((m) => m.samples.map((s) => s.ts));
    expect(ts.length).toBe(22);
    for (let k = 1; k < ts.length; k++) expect(ts[k]!).toBeGreaterThan(ts[k - 1]!);
  });

  it('pauses, resumes and stops between messages', async () => {
    const h = harness();
    const options = { rigId: 'r', cellId: 'c', speed: 1, start_ms: START, batchSize: 1, clock: h.clock };
    const publisher = new ReplayPublisher(
      {
        publishAsync: async (topic, payload, qos) => {
          await h.target.publishAsync(topic, payload, qos);
          if (h.messages.length === 10) publisher.stop();
        },
      },
      run(50),
      options,
    );
    publisher.pause();
    const done = publisher.run();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(publisher.progress()).toMatchObject({ state: 'paused', rowsPublished: 0 });
    h.advance(60_000); // a minute paused must not make the rows after it late
    publisher.resume();
    const result = await done;
    expect(result.state).toBe('stopped');
    expect(result.rowsPublished).toBe(10);
    expect(h.messages[1]!.at - h.messages[0]!.at).toBeCloseTo(1000, -1);
  });

  it('fails with the broker error and reports it', async () => {
    const h = harness(2);
    const publisher = new ReplayPublisher(h.target, run(5000), {
      rigId: 'r',
      cellId: 'c',
      speed: 'max',
      start_ms: START,
      batchSize: 100,
      maxInFlight: 1,
      clock: h.clock,
    });
    const result = await publisher.run();
    expect(result.state).toBe('failed');
    expect(result.error).toBe('broker gone');
    expect(result.rowsPublished).toBeLessThan(5000);
  });
});
