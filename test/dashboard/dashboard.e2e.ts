import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  parseEnvironment,
  telemetryTopic,
  type AlertEvent,
  type CellConfig,
  type CellSummary,
  type Sample,
  type StateMessage,
} from '#contracts';
import { CellMonitor } from '#physics';
import { simulateScenario, type SimulatedRun } from '#simulator';
import { type RunningApi, startApi, LiveFeed, publisherReplayRunner } from '#api';
import { IngestModule } from '#ingest';
import { describeWithServices, testServices } from '../support/services.js';
import { launchChromium } from '../support/browser.js';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real api and
 * ingest, the real Mosquitto and InfluxDB: the page loads without console errors, the live plots move as
 * samples arrive, a simulated failing cell raises an alert that shows on the page and is acknowledged
 * from it, and losing the api shows a banner. Screenshots go to test-results/dashboard/.
 */

const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SCREENSHOTS = path.join(repoRoot, 'test-results/dashboard');
const RUN = Math.random().toString(36).slice(2, 8);
const RIG = `e2e-dash-${RUN}`;
const CELL = 'peo-01';
/** Generous: the machine is shared, and nothing here may fail for being slow. */
const WAIT_MS = 90_000;
/** Per test: a few waits' worth. */
const TEST_MS = 4 * WAIT_MS;

describeWithServices('dashboard e2e (chromium, real api + ingest, Mosquitto, InfluxDB)', () => {
  let api: RunningApi | undefined;
  let ingest: INestApplicationContext | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let rig: MqttClient;
  let run: SimulatedRun;
  let samples: Sample[];
  let published = 0;
  let workDir: string;
  const consoleErrors: string[] = [];

  /** Publishes the next `count` simulated samples on the cell's telemetry topic, as a rig does. */
  const publish = async (count: number, perMessage: number): Promise<void> => {
    const end = Math.min(samples.length, published + count);
    while (published < end) {
      const batch = samples.slice(published, Math.min(end, published + perMessage));
      await rig.publishAsync(
        telemetryTopic(RIG, CELL),
        JSON.stringify(batch.length === 1 ? batch[0] : batch),
        {
          qos: 1,
        },
      );
      published += batch.length;
    }
  };
  /** Points and version of a live chart, read in one go (two reads could straddle a redraw). */
  const chartState = (column: string): Promise<{ points: number; version: number }> =>
    page.locator(`figure[data-chart="${column}"]`).evaluate((figure) => ({
      points: Number(figure.getAttribute('data-points')),
      version: Number(figure.getAttribute('data-version')),
    }));
  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    const services = testServices();
    workDir = mkdtempSync(path.join(tmpdir(), 'sandglass-dashboard-e2e-'));
    mkdirSync(SCREENSHOTS, { recursive: true });

    // The dashboard as shipped: a production Vite build, into a directory of this run's own.
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
      SANDGLASS_MQTT_URL: services.mqttUrl,
      SANDGLASS_INFLUX_URL: services.influxUrl,
      SANDGLASS_INFLUX_DB: `sandglass_dash_e2e_${RUN}`,
      SANDGLASS_DATA_DIR: path.join(workDir, 'data'),
      SANDGLASS_INGEST_CLIENT_ID: `e2e-dash-ingest-${RUN}`,
      SANDGLASS_INGEST_RIGS: RIG,
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    ingest = await NestFactory.createApplicationContext(IngestModule.forRoot(env), {
      logger: ['error', 'warn'],
    });
    await ingest.init();
    // With the real replay runner, so the replay panel's test drives a replay end to end.
    api = await startApi(env, { dashboardDir, replayRunner: publisherReplayRunner(env) });
    await api.app.get(LiveFeed).ready();
    rig = await mqtt.connectAsync(services.mqttUrl, { clientId: `e2e-dash-rig-${RUN}` });

    // A PEO-LiTFSI cell driven through a critical-current ramp past J*: the simulator's Sand-depletion run.
    run = simulateScenario({ scenario: 'sand-depletion', seed: 7 });
    const start_ms = Date.now() - 4 * 3_600_000;
    samples = [];
    let seq = 0;
    for (const s of run.samples()) {
      samples.push({ ts: start_ms + s.time_s * 1000, v: s.v, i: s.i, t: s.t, p: s.p, seq: seq++ });
    }
    const { rigId: _rig, cellId: _cell, ...body } = run.config;
    const put = await fetch(`${api.url}/api/cells/${RIG}/${CELL}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(put.status, await put.text()).toBe(200);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await rig?.endAsync();
    await api?.close();
    await ingest?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it(
    'loads the cell view live, without console errors',
    async () => {
      await page.goto(`${api!.url}/#/cell/${RIG}/${CELL}`);
      await page.locator('[data-connection="connected"]').waitFor({ timeout: WAIT_MS });
      expect(await page.locator('h2').first().textContent()).toContain(CELL);
      await page.locator('text=Configuration').first().waitFor();
      expect(consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'moves the live plots as samples arrive',
    async () => {
      await publish(30, 1);
      await expect.poll(async () => (await chartState('v')).points, { timeout: WAIT_MS }).toBeGreaterThan(1);
      const before = await chartState('v');
      const latestBefore = await page.locator('figure[data-chart="v"] figcaption strong').textContent();
      await publish(60, 1);
      await expect
        .poll(async () => (await chartState('v')).points, { timeout: WAIT_MS })
        .toBeGreaterThan(before.points);
      const after = await chartState('v');
      expect(after.version).toBeGreaterThan(before.version);
      // Each plot is one uPlot canvas, created once and fed by setData.
      expect(await page.locator('figure[data-chart] canvas').count()).toBe(4);
      expect(latestBefore).toMatch(/V$/);
      await screenshot('cell-live');
    },
    TEST_MS,
  );

  it(
    'shows the alert of the failing cell, and acknowledges it from the page',
    async () => {
      const onset_s = run.labels.onset_s ?? run.labels.hardShort_s;
      expect(onset_s, 'the sand-depletion scenario has a failure onset').toBeDefined();
      const onsetIndex = samples.findIndex((s) => s.ts >= samples[0]!.ts + onset_s! * 1000);
      // Everything up to 10 min of data time past the onset, in rig-sized batches.
      await publish(Math.max(0, (onsetIndex < 0 ? samples.length : onsetIndex) + 600 - published), 200);

      const raised = page.locator('section[aria-label="Cell alerts"] li.alert[data-state="raised"]').first();
      await raised.waitFor({ timeout: WAIT_MS });
      expect(await raised.getAttribute('data-alert-id')).toBeTruthy();
      expect((await raised.locator('.alert-message').textContent())?.trim()).toBeTruthy();
      await screenshot('cell-alert');

      // The run goes on past the onset: the alert first seen may have cleared since (on a slow machine its
      // clear arrives later), so the one acknowledged is an alert of this cell still open on the feed.
      await page.goto(`${api!.url}/#/alerts`);
      const open = page
        .locator('li.alert[data-state="raised"]')
        .filter({ hasText: `${RIG} / ${CELL}` })
        .first();
      await open.waitFor({ timeout: WAIT_MS });
      const alertId = await open.getAttribute('data-alert-id');
      expect(alertId).toBeTruthy();
      const item = page.locator(`li.alert[data-alert-id="${alertId}"]`);
      // Evidence in words, with numbers and units.
      expect(await item.locator('.evidence li').first().textContent()).toMatch(/\d/);
      await page.locator('input[name="operator"]').fill('e2e-engineer');
      await screenshot('alerts-before-ack');
      await item.locator('button.ack').click();
      await page
        .locator(`li.alert[data-alert-id="${alertId}"][data-state="acknowledged"]`)
        .waitFor({ timeout: WAIT_MS });
      expect(await page.locator(`li.alert[data-alert-id="${alertId}"]`).textContent()).toContain(
        'by e2e-engineer',
      );
      await screenshot('alerts-acknowledged');

      await page.goto(`${api!.url}/#/`);
      await page.locator('select[name="rig"]').selectOption(RIG);
      const tile = page.locator(`li.tile[data-cell="${RIG}/${CELL}"]`);
      await tile.waitFor({ timeout: WAIT_MS });
      // The tile states its risk in words, not only in colour.
      expect(await tile.locator('.badge').textContent()).toMatch(/OK|Warning|Critical/);
      await screenshot('overview');
      expect(consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'shows the same current density and ASR in the alert evidence, the REST state and the page',
    async () => {
      // A second cell fed the same run up to the sample that raises its first alert, and no further: the
      // state published with that sample (REST and the page's live panel) is what the evidence snapshots.
      const cellId = 'peo-02';
      const { rigId: _rig, cellId: _cell, ...body } = run.config;
      const put = await fetch(`${api!.url}/api/cells/${RIG}/${cellId}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(put.status, await put.text()).toBe(200);
      // Detection depends only on the samples and the configuration, so the raising sample is known here.
      const monitor = new CellMonitor(run.config);
      const raiseIndex = samples.findIndex((s) => monitor.update(s).events.some((e) => e.level !== 'ok'));
      expect(raiseIndex, 'the sand-depletion run raises an alert').toBeGreaterThan(0);
      for (let k = 0; k <= raiseIndex; k += 200) {
        const batch = samples.slice(k, Math.min(raiseIndex + 1, k + 200));
        await rig.publishAsync(telemetryTopic(RIG, cellId), JSON.stringify(batch), { qos: 1 });
      }
      const raiseTs = samples[raiseIndex]!.ts;

      const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;
      let alert: AlertEvent | undefined;
      await expect
        .poll(
          async () => {
            const alerts = await getJson<AlertEvent[]>(
              `${api!.url}/api/alerts?rigId=${RIG}&cellId=${cellId}`,
            );
            alert = alerts.find((a) => a.ts === raiseTs);
            return alert !== undefined;
          },
          { timeout: WAIT_MS },
        )
        .toBe(true);
      let state: StateMessage | null = null;
      await expect
        .poll(
          async () => {
            state = (await getJson<CellSummary>(`${api!.url}/api/cells/${RIG}/${cellId}`)).state;
            return state?.ts;
          },
          { timeout: WAIT_MS },
        )
        .toBe(raiseTs);
      const estimates = state!.estimates;
      const j_A_m2 = alert!.evidence.currentDensity_A_m2;
      const asr_ohm_m2 = alert!.evidence.areaSpecificResistance_ohm_m2;
      expect(typeof j_A_m2).toBe('number');
      expect(typeof asr_ohm_m2).toBe('number');
      expect(estimates.currentDensity_A_m2).toBe(j_A_m2);
      expect(estimates.areaSpecificResistance_ohm_m2).toBe(asr_ohm_m2);

      // The page: the live panel at that sample and the alert's evidence read the same, in lab units.
      await page.goto(`${api!.url}/#/cell/${RIG}/${cellId}`);
      await page.locator(`section.physics[data-ts="${raiseTs}"]`).waitFor({ timeout: WAIT_MS });
      const evidence = page.locator(
        `section[aria-label="Cell alerts"] li.alert[data-alert-id="${alert!.id}"]`,
      );
      await evidence.waitFor({ timeout: WAIT_MS });
      const shown = async (quantity: string) => ({
        live: (await page.locator(`section.physics dd[data-quantity="${quantity}"]`).textContent())?.trim(),
        raised: (await evidence.locator(`li[data-evidence="${quantity}"]`).textContent())?.trim(),
      });
      const j = await shown('currentDensity_A_m2');
      const asr = await shown('areaSpecificResistance_ohm_m2');
      expect(j.live).toMatch(/^-?[\d.]+ mA\/cm²$/);
      expect(Number.parseFloat(j.live!)).toBeCloseTo((j_A_m2 as number) / 10, 2);
      expect(j.raised).toContain(j.live);
      expect(asr.live).toMatch(/^[\d.]+ Ω·cm²$/);
      expect(Number.parseFloat(asr.live!) / ((asr_ohm_m2 as number) * 1e4)).toBeCloseTo(1, 2);
      expect(asr.raised).toContain(asr.live);
      // Each says what it is: the evidence a snapshot at the raise, the panel live.
      expect(await evidence.locator('.evidence-when').textContent()).toContain('at the raise');
      expect(await page.locator('section.physics').textContent()).toContain('Live');
      await screenshot('cell-model-same-numbers');
      expect(consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'loads history over REST and zooms by querying again',
    async () => {
      await page.goto(`${api!.url}/#/cell/${RIG}/${CELL}`);
      const history = page.locator('section.history');
      await history.locator('button', { hasText: 'Follow latest' }).click();
      const points = async () =>
        Number((await history.locator('[data-history-points]').getAttribute('data-history-points')) || 0);
      await expect.poll(points, { timeout: WAIT_MS }).toBeGreaterThan(10);
      expect(await history.locator('p').first().textContent()).toMatch(/means over \d+(ms|s|m)/);
      // Drag across the middle third of the plot: the window shrinks and the server is asked again.
      // The drag must happen on screen: the plot may sit below the fold of the 800 px viewport.
      await history.locator('.u-over').scrollIntoViewIfNeeded();
      const box = (await history.locator('.u-over').boundingBox())!;
      await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + (2 * box.width) / 3, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await history.locator('p', { hasText: 'zoomed' }).waitFor({ timeout: WAIT_MS });
      await expect.poll(points, { timeout: WAIT_MS }).toBeGreaterThan(0);
      await screenshot('cell-history-zoomed');
      expect(consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'edits the configuration with validation messages and shows the derived numbers',
    async () => {
      await page.goto(`${api!.url}/#/cell/${RIG}/${CELL}/config`);
      const gap = page.locator('#cfg-gap_um');
      await gap.waitFor({ timeout: WAIT_MS });
      const derived = page.locator('ul.derived');
      expect(await derived.textContent()).toMatch(/critical current density J\* [\d.]+ mA\/cm²/);
      const original = await gap.inputValue();
      expect(Number(original)).toBeGreaterThan(0);

      await gap.fill('abc');
      await page.locator('button[type="submit"]').click();
      expect(await page.locator('#cfg-gap_um-error').textContent()).toBe('must be a number');
      await gap.fill('-5');
      await page.locator('button[type="submit"]').click();
      expect(await page.locator('#cfg-gap_um-error').textContent()).toMatch(/>0|too small/i);
      await screenshot('config-invalid');

      await gap.fill(String(Number(original) * 2));
      await page.locator('button[type="submit"]').click();
      await page.locator('.ok-text', { hasText: 'Saved' }).waitFor({ timeout: WAIT_MS });
      const stored = (await (await fetch(`${api!.url}/api/cells/${RIG}/${CELL}/config`)).json()) as {
        config: CellConfig;
      };
      expect(stored.config.electrolyte.gap_um).toBeCloseTo(Number(original) * 2);
      expect(consoleErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'starts a simulator replay from the replay panel, follows it and stops it',
    async () => {
      await page.goto(`${api!.url}/#/replays`);
      // A rig ingest does not listen to: the replay's samples stay out of what the other tests see.
      await page.locator('#rp-rig').fill(`${RIG}-replay`);
      await page.locator('#rp-cell').fill('replay-01');
      await page.locator('#rp-speed').fill('fast');
      await page.locator('button[type="submit"]').click();
      expect(await page.locator('[role="alert"] li').first().textContent()).toMatch(/^speed: /);

      // Slow enough that it is still running when Stop is pressed.
      await page.locator('#rp-speed').fill('10');
      await page.locator('button[type="submit"]').click();
      const item = page.locator('li[data-replay-id]');
      await item.first().waitFor({ timeout: WAIT_MS });
      // Progress arrives through `replay` events, and the replay can be stopped.
      await item.locator('button', { hasText: 'Stop' }).click();
      await page.locator('li[data-replay-id][data-state="stopped"]').first().waitFor({ timeout: WAIT_MS });
      await screenshot('replays');
    },
    TEST_MS,
  );

  it(
    'shows a banner while the REST api fails, and recovers by itself',
    async () => {
      // A proxy in front of a stopped api answers 502: the page says so and keeps retrying.
      await page.route('**/api/cells', (route) => route.fulfill({ status: 502, body: 'Bad Gateway' }));
      await page.goto('about:blank');
      await page.goto(`${api!.url}/#/`);
      const banner = page.locator('[data-banner="api"]');
      await banner.waitFor({ timeout: WAIT_MS });
      expect(await banner.textContent()).toContain('cannot be reached');
      await screenshot('api-problem');
      await page.unroute('**/api/cells');
      await banner.waitFor({ state: 'detached', timeout: WAIT_MS });
    },
    TEST_MS,
  );

  it(
    'shows a banner when the api goes away',
    async () => {
      await api!.close();
      api = undefined;
      await page.locator('[data-banner="socket"]').waitFor({ timeout: WAIT_MS });
      await page.locator('[data-connection="disconnected"]').waitFor({ timeout: WAIT_MS });
      await screenshot('api-down');
    },
    TEST_MS,
  );
});
