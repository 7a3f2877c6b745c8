import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzApi } from '../support/openapi-fuzz.js';
import { startStandalone, type Standalone } from '../support/standalone.js';

/**
 * Every route of the OpenAPI document (`/api/docs/json`) with generated ids, query values and JSON
 * bodies, against `npm start`'s embedded defaults: bad input is a 4xx with a reason, never a 5xx, and
 * every request is answered. `scripts/fuzz-api.ts` runs the same with 10,000+ requests.
 */
describe('REST api under generated requests (OpenAPI walk)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-fuzz-'));
  let app: Standalone;

  beforeAll(async () => {
    mkdirSync(path.join(dataDir, 'replays'));
    app = await startStandalone(dataDir, { SANDGLASS_WRITE_RATE_PER_MIN: '1000000' });
  }, 90_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 1,500 generated requests on every route without a 5xx or a hang', async () => {
    const report = await fuzzApi(app.url, { count: 1500, seed: 15, timeout_ms: 15_000 });
    const failures = report.failures
      .slice(0, 5)
      .map(
        (f) => `${f.status} ${f.request.method} ${f.request.path} ${f.request.body ?? ''} → ${f.body ?? ''}`,
      );
    expect(failures).toEqual([]);
    expect(report.requests).toBe(1500);
    // Every route was walked, and both sides of validation were reached.
    expect(Object.keys(report.byRoute).length).toBeGreaterThanOrEqual(11);
    expect(report.byStatus['400']).toBeGreaterThan(100);
    expect((report.byStatus['200'] ?? 0) + (report.byStatus['201'] ?? 0)).toBeGreaterThan(50);
    expect(app.stderr()).not.toContain('internal error');
  }, 300_000);
});
