import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTelemetryStoreConformance } from './conformance.js';
import { EmbeddedStore } from './embedded-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTelemetryStoreConformance('EmbeddedStore (DuckDB file)', {
  make: async () => new EmbeddedStore({ dataDir: path.join(dir, 'conformance') }),
});

describe('EmbeddedStore', () => {
  const cell = { rigId: 'r1', cellId: 'c1' };
  const ts = Date.UTC(2026, 0, 1);

  it('keeps its data in the file across close and reopen', async () => {
    const dataDir = path.join(dir, 'reopen');
    const first = new EmbeddedStore({ dataDir });
    await first.open();
    await first.writeSamples([{ ...cell, ts: ts + 0.5, v: 3.3, i: 0.1, seq: 1 }]);
    await first.close();
    expect(await first.ping()).toBe(false);
    const second = new EmbeddedStore({ dataDir });
    await second.open();
    expect(await second.queryTelemetry(cell, { limit: 10 })).toEqual([{ ts: ts + 0.5, v: 3.3, i: 0.1 }]);
    await second.close();
  });

  it('lets two stores of one file in one process share it until the last closes', async () => {
    const dataDir = path.join(dir, 'shared');
    const a = new EmbeddedStore({ dataDir });
    const b = new EmbeddedStore({ dataDir });
    await a.open();
    await b.open();
    await a.writeSamples([{ ...cell, ts, v: 1, i: 1 }]);
    expect(await b.countSamples(cell)).toBe(1);
    await a.close();
    expect(await b.countSamples(cell)).toBe(1);
    await b.close();
  });

  it('throws a StoreError when used before open', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await expect(store.countSamples(cell)).rejects.toMatchObject({ name: 'StoreError', retryable: false });
  });
});
