/**
 * Kill/SIGTERM/start-up cycles of `npm start` (built: `npm run build` first) with a retrying QoS 1 rig,
 * then counts acknowledged samples missing from or duplicated in the store.
 *   npx tsx --conditions=source scripts/fuzz/kill-cycles.ts [embedded|mqtt://external:1883] [rounds=2]
 * One round is 6 cycles (start-up, mid-stream, mid-drain × SIGKILL, SIGTERM).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cyclePlan, runKillCycles } from '../../test/support/kill-cycles.js';

const broker = process.argv[2] ?? 'embedded';
const rounds = Number(process.argv[3] ?? 2);
const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-cycles-'));
const external = broker !== 'embedded';
const tag = `kc${process.pid}`;
try {
  const report = await runKillCycles({
    dataDir,
    rigId: `rig-${tag}`,
    cells: ['c1', 'c2', 'c3'],
    plan: cyclePlan(rounds),
    ...(external && {
      rigBrokerUrl: broker,
      env: { SANDGLASS_MQTT_URL: broker, SANDGLASS_INGEST_CLIENT_ID: `ingest-${tag}` },
    }),
    log: (line) => console.log(`  ${line}`),
  });
  console.log(
    `kill cycles (${external ? `external ${broker}` : 'embedded broker'}): ${report.cycles.length} cycles, ` +
      `${report.published} samples published, ${report.acked} acknowledged, ${report.lost} lost, ` +
      `${report.duplicated} stored twice; ${report.unackedButStored} stored whose PUBACK the rig's client never reported`,
  );
  process.exitCode = report.lost === 0 && report.duplicated === 0 ? 0 : 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
