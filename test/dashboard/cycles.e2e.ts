import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CycleTracker } from '#cycles';
import { cyclesTopic, parseEnvironment, type CycleSummary } from '#contracts';
import { SampleColumns, TELEMETRY_STORE, type TelemetryStore } from '#store';
import { type RunningApi, startApi, LiveFeed } from '#api';
import { describeWithServices, testServices } from '../support/services.js';
import { launchChromium } from '../support/browser.js';

/**
 * The cycle plots in a real browser: a cell's capacity and CE against cycle number, a new cycle arriving
 * live over MQTT → api → socket.io, and the compare view overlaying two cells with the voltage–capacity
 * curves of a chosen cycle. The cells' samples are generated here and their cycles computed by
 * libs/cycles, as ingest would.
 */
const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const RUN = Math.random().toString(36).slice(2, 8);
const RIG = `e2e-cyc-${RUN}`;
const T0 = Date.UTC(2026, 0, 1);
const WAIT_MS = 60_000;
const SCREENSHOTS = path.join(repoRoot, 'test-results/dashboard');

/** `cycles` charge/discharge cycles at ±1 mA, 30 s sampling, the discharge shrinking by `fade` per cycle. */
function cellRun(cellId: string, cycles: number, fade: number) {
  const columns = new SampleColumns(4096);
  const tracker = new CycleTracker();
  const done: CycleSummary[] = [];
  let ts = T0;
  const add = (v: number, i: number) => {
    const k = columns.add(RIG, cellId, 1);
    columns.ts[k] = ts;
    columns.v[k] = v;
    columns.i[k] = i;
    const closed = tracker.push(ts, v, i);
    if (closed) done.push({ rigId: RIG, cellId, ...closed });
    ts += 30_000;
  };
  for (let c = 0; c < cycles; c++) {
    for (let k = 0; k < 120; k++) add(3.5 + k / 200, 0.001);
    for (let k = 0; k < 20; k++) add(4.0, 0);
    const n = Math.round(120 * (1 - fade * c));
    for (let k = 0; k < n; k++) add(4.0 - k / 200, -0.001);
    for (let k = 0; k < 20; k++) add(3.4, 0);
  }
  add(3.5, 0.001); // the next charge closes the last cycle
  for (let k = 0; k < 3; k++) add(3.5, 0.001);
  return { columns, cycles: done };
}

describeWithServices('dashboard cycle plots and compare view (chromium)', () => {
  let api: RunningApi;
  let browser: Browser;
  let page: Page;
  let rig: MqttClient;
  let workDir: string;
  let store: TelemetryStore;
  const consoleErrors: string[] = [];
  const a = cellRun('a', 5, 0.02);
  const b = cellRun('b', 3, 0.05);

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'sandglass-cycles-dash-'));
    const dashboardDir = path.join(workDir, 'dist');
    await build({
      configFile: path.join(repoRoot, 'apps/dashboard/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: dashboardDir, emptyOutDir: true },
    });
    const env = parseEnvironment({
      SANDGLASS_AUTH: 'off',
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_MQTT_URL: testServices().mqttUrl,
      SANDGLASS_DATA_DIR: path.join(workDir, 'data'),
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    api = await startApi(env, { dashboardDir });
    await api.app.get(LiveFeed).ready();
    store = api.app.get<TelemetryStore>(TELEMETRY_STORE);
    for (const cell of [a, b]) await store.writeSamples(cell.columns);
    // Cell a's last cycle is held back: it arrives live in the test.
    await store.writeCycles([...a.cycles.slice(0, -1), ...b.cycles]);
    rig = await mqtt.connectAsync(testServices().mqttUrl, { clientId: `e2e-cyc-${RUN}` });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await rig?.endAsync();
    await api?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it(
    'plots a cell’s capacity and CE against cycle number and adds a cycle that completes live',
    async () => {
      expect(a.cycles.map((c) => c.cycle)).toEqual([1, 2, 3, 4, 5]);
      await page.goto(`${api.url}/#/cell/${RIG}/a`);
      const panel = page.locator('section[aria-label="Cycles"]');
      await expect.poll(() => panel.getAttribute('data-cycles'), { timeout: WAIT_MS }).toBe('4');
      await expect
        .poll(() => page.locator('[data-cycle-chart="Capacity"]').getAttribute('data-points'), {
          timeout: WAIT_MS,
        })
        .toBe('4');
      // The fifth cycle completes: stored, then published on …/cycles as ingest does.
      await store.writeCycles([a.cycles[4]!]);
      await rig.publishAsync(cyclesTopic(RIG, 'a'), JSON.stringify(a.cycles[4]), { qos: 1 });
      await expect.poll(() => panel.getAttribute('data-cycles'), { timeout: WAIT_MS }).toBe('5');
      await expect(panel.textContent()).resolves.toContain('last (#5)');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await panel.screenshot({ path: path.join(SCREENSHOTS, 'cycles-panel.png') });
      expect(consoleErrors).toEqual([]);
    },
    3 * WAIT_MS,
  );

  it(
    'overlays chosen cells and draws the voltage–capacity curves of a chosen cycle',
    async () => {
      await page.goto(`${api.url}/#/compare?cells=${RIG}/a,${RIG}/b&cycle=2`);
      const fade = page.locator('[data-cycle-chart="Capacity fade (discharge capacity)"]');
      // Cycle numbers 1..5 (a) ∪ 1..3 (b).
      await expect.poll(() => fade.getAttribute('data-points'), { timeout: WAIT_MS }).toBe('5');
      const curve = page.locator('[data-cycle-chart="Voltage against capacity"]');
      await expect
        .poll(async () => Number(await curve.getAttribute('data-points')), { timeout: WAIT_MS })
        .toBeGreaterThan(100);
      await expect(page.locator('select[aria-label="Cycle"]')).toBeDefined();
      expect(await page.locator('select[aria-label="Cycle"]').inputValue()).toBe('2');
      expect(await page.locator('.compare-cell input:checked').count()).toBe(2);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'compare.png'), fullPage: true });
      expect(consoleErrors).toEqual([]);
    },
    3 * WAIT_MS,
  );
});
