/**
 * Walks every route of the OpenAPI document of `npm start` (built: `npm run build` first) with generated
 * requests and prints the status counts, the 5xx/hung ones and the rate.
 *   npx tsx --conditions=source scripts/fuzz/api.ts [count=10000] [seed=1]
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fuzzApi } from '../../test/support/openapi-fuzz.js';
import { startStandalone } from '../../test/support/standalone.js';

const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 1);
const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-fuzz-'));
mkdirSync(path.join(dataDir, 'replays'));
const app = await startStandalone(dataDir, { SANDGLASS_WRITE_RATE_PER_MIN: '1000000' });
try {
  const trace = process.env.FUZZ_TRACE;
  const report = await fuzzApi(app.url, {
    count,
    seed,
    ...(trace && {
      concurrency: 1,
      onSend: (r: { method: string; path: string; body?: string }) =>
        appendFileSync(trace, `${Date.now()} ${r.method} ${r.path} ${r.body ?? ''}\n`),
    }),
  });
  console.log(`fuzz api: ${report.requests} requests in ${report.elapsed_s.toFixed(1)} s (seed ${seed})`);
  console.log(`  by status: ${JSON.stringify(report.byStatus)}`);
  console.log(`  by route:  ${JSON.stringify(report.byRoute)}`);
  console.log(`  5xx or no answer: ${report.failures.length}`);
  for (const f of report.failures.slice(0, 20)) {
    console.log(
      `    ${f.status} ${f.request.method} ${f.request.path} ${f.request.body?.slice(0, 200) ?? ''} → ${f.body ?? ''}`,
    );
  }
  process.exitCode = report.failures.length === 0 ? 0 : 1;
} finally {
  await app.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
