import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '#contracts';
import { until } from '../ingest/support.js';
import { publishScenario, startStandalone, type Standalone } from '../support/standalone.js';
import { launchChromium } from '../support/browser.js';

const RIG = 'rig-dn';
const WAIT_MS = 90_000;

/**
 * The notifications page in a real browser against `npm start` and a real webhook receiver: a
 * notification given up (the receiver answered 500 until the give-up time) shows among the undelivered
 * ones and in the alert's history reached from the alert feed; a route's test send reports the
 * receiver's answer; a silence is created with an end time, listed, and ended from the page.
 */
describe('dashboard notifications page (chromium, npm start, real webhook receiver)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-dash-notify-'));
  let status = 500;
  const keys: string[] = [];
  const receiver = http.createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  let app: Standalone | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  let hard: AlertEvent;
  let givenUpKey = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    app = await startStandalone(dataDir, {
      SANDGLASS_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      SANDGLASS_NOTIFY_WEBHOOK_SECRET: 'webhook-secret-for-the-dashboard-test',
      SANDGLASS_NOTIFY_RETRY_MIN_MS: '200',
      SANDGLASS_NOTIFY_RETRY_MAX_MS: '500',
      SANDGLASS_NOTIFY_GIVE_UP_S: '2',
    });
    await publishScenario(app, RIG, 'c1', 'hard-short', 31);
    await until(
      async () => {
        const alerts = (await (await fetch(`${app!.url}/api/alerts?rigId=${RIG}`)).json()) as AlertEvent[];
        hard = alerts.find((a) => a.kind === 'hard-short')!;
        return hard !== undefined;
      },
      'the hard-short alert in the store',
      WAIT_MS,
    );
    // This alert's own notification given up (the run may raise more than one hard short: another one's
    // giving up first would let this one be delivered once the receiver answers 200).
    await until(
      async () => {
        const history = (await (await fetch(`${app!.url}/api/alerts/${hard.id}/notifications`)).json()) as {
          key: string;
          state: string;
        }[];
        givenUpKey = history.find((n) => n.state === 'given-up')?.key ?? '';
        return givenUpKey !== '';
      },
      "the alert's notification given up",
      WAIT_MS,
    );
    status = 200;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  }, 4 * WAIT_MS);

  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGTERM');
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "shows given-up notifications, and an alert's history reached from the alert feed",
    async () => {
      await page.goto(`${app!.url}/#/notifications`);
      const givenUp = page.locator(
        `section[aria-label="Undelivered notifications"] tr[data-notification="${givenUpKey}"]`,
      );
      await givenUp.waitFor({ timeout: WAIT_MS });
      expect(await givenUp.getAttribute('data-state')).toBe('given-up');
      expect(await givenUp.textContent()).toContain('HTTP 500');
      expect(await page.locator('section[aria-label="Undelivered notifications"] h3').textContent()).toMatch(
        /[1-9]\d* given up/,
      );

      await page.goto(`${app!.url}/#/alerts`);
      await page.locator(`li[data-alert-id="${hard.id}"] a`, { hasText: 'notifications' }).click();
      await page.waitForURL(`**/#/notifications?alert=${encodeURIComponent(hard.id)}`, { timeout: WAIT_MS });
      const row = page
        .locator(`section[aria-label="Notifications of the alert"] tr[data-notification]`)
        .first();
      await row.waitFor({ timeout: WAIT_MS });
      expect(await row.textContent()).toContain('webhook');
      expect(await row.getAttribute('data-state')).toBe('given-up');
    },
    2 * WAIT_MS,
  );

  it(
    "test-sends a route and shows the receiver's answer",
    async () => {
      await page.goto(`${app!.url}/#/notifications`);
      const route = page.locator('li[data-route="default"]');
      await route.waitFor({ timeout: WAIT_MS });
      const before = keys.length;
      await route.getByRole('button', { name: 'Send a test' }).click();
      await page.locator('[data-test-result="default"]', { hasText: 'webhook: delivered' }).waitFor({
        timeout: WAIT_MS,
      });
      expect(keys.slice(before).some((k) => /^test-.*:test$/.test(k))).toBe(true);
    },
    2 * WAIT_MS,
  );

  it(
    'creates a silence with an end time, lists it, and ends it',
    async () => {
      await page.goto(`${app!.url}/#/notifications`);
      const form = page.locator('form[aria-label="New silence"]');
      await form.waitFor({ timeout: WAIT_MS });
      await form.locator('input[name="rigId"]').fill(RIG);
      await form.locator('select[name="kind"]').selectOption('soft-short');
      // datetime-local takes local time: two hours from now.
      const end = new Date(Date.now() + 2 * 3600_000);
      const local = new Date(end.getTime() - end.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await form.locator('input[name="endsAt"]').fill(local);
      await form.locator('input[name="comment"]').fill('cell swap');
      await form.getByRole('button', { name: 'Silence' }).click();
      const item = page.locator('ul.silences li[data-silence]');
      await item.waitFor({ timeout: WAIT_MS });
      expect(await item.textContent()).toContain('cell swap');
      const listed = (await (await fetch(`${app!.url}/api/silences`)).json()) as Array<{
        matchers: unknown;
        endsAt: number;
      }>;
      expect(listed).toHaveLength(1);
      expect(listed[0]!.matchers).toEqual({ rigId: RIG, kind: 'soft-short' });
      expect(Math.abs(listed[0]!.endsAt - end.getTime())).toBeLessThan(60_000);

      await item.getByRole('button', { name: 'End now' }).click();
      await page.locator('section[aria-label="Silences"] .empty').waitFor({ timeout: WAIT_MS });
      expect(await (await fetch(`${app!.url}/api/silences`)).json()).toEqual([]);
      expect(consoleErrors).toEqual([]);
    },
    2 * WAIT_MS,
  );
});
