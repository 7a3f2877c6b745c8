import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEvent, CellSummary } from '#contracts';
import { EmbeddedStore } from '#store';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * `npm start` as a newcomer runs it (what it runs after the build, on embedded defaults): embedded broker and
 * store, ingest, api, dashboard and the demo rig in one process; a demo cell fails and its alert reaches a
 * socket.io client; Ctrl-C stops it cleanly with the samples stored.
 */
describe('npm start (all in one process, embedded defaults, demo rig)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-start-'));
  let child: ChildProcess | undefined;
  let socket: Socket | undefined;
  afterAll(() => {
    socket?.close();
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the dashboard, raises a demo alert and shuts down cleanly on Ctrl-C', async () => {
    child = spawn('bash', [path.join(root, 'scripts/start.sh')], {
      env: {
        ...process.env,
        SANDGLASS_DATA_DIR: dataDir,
        SANDGLASS_HTTP_PORT: '0',
        SANDGLASS_HTTP_HOST: '127.0.0.1',
        SANDGLASS_MQTT_PORT: '0',
        SANDGLASS_DEMO: '1',
        SANDGLASS_AUTH: 'off',
        SANDGLASS_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    await expect.poll(() => stdout, { timeout: 60_000 }).toContain('Ctrl-C');
    const dashboard = /dashboard\s+(http:\/\/\S+)/.exec(stdout)?.[1];
    expect(dashboard, stdout + stderr).toBeDefined();
    expect(stdout).toMatch(/MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+/);

    const page = await fetch(dashboard!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');

    const alerts: AlertEvent[] = [];
    socket = io(`${dashboard}/live`, { transports: ['websocket'] });
    socket.on('alert', (alert: AlertEvent) => alerts.push(alert));
    await new Promise<void>((resolve) => socket!.emit('subscribe', {}, () => resolve()));

    const cells = async () => (await (await fetch(`${dashboard}/api/cells`)).json()) as CellSummary[];
    await expect
      .poll(
        async () => (await cells()).filter((c) => c.rigId === 'demo-rig' && c.configured && c.state).length,
        {
          timeout: 60_000,
          interval: 1000,
        },
      )
      .toBe(4);

    // The demo's failing cell warns within a couple of minutes of wall time.
    await expect
      .poll(() => alerts.some((a) => a.rigId === 'demo-rig' && a.state === 'raised'), {
        timeout: 200_000,
        interval: 1000,
      })
      .toBe(true);

    // Raised alerts are listed by REST too, and REST keeps answering while the demo runs: what a new
    // user's dashboard shows. (Generous bounds: a slow machine, not a slow store, would miss them.)
    const raised = alerts.find((a) => a.rigId === 'demo-rig' && a.state === 'raised')!;
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${dashboard}/api/alerts?rigId=demo-rig`)).json()) as AlertEvent[]).some(
            (a) => a.id === raised.id,
          ),
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    for (let k = 0; k < 10; k++) {
      for (const route of ['/api/cells', '/api/alerts', '/api/cells/demo-rig/cell-01/telemetry?every=10s']) {
        const response = await fetch(dashboard + route, { signal: AbortSignal.timeout(5000) });
        expect(response.status, route).toBe(200);
      }
    }

    const stopping = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect((performance.now() - stopping) / 1000).toBeLessThan(10);
    child = undefined;

    // What the shutdown could not store yet is in the write-ahead log: the next start stores it.
    const restart = spawn('bash', [path.join(root, 'scripts/start.sh')], {
      env: {
        ...process.env,
        SANDGLASS_DATA_DIR: dataDir,
        SANDGLASS_HTTP_PORT: '0',
        SANDGLASS_HTTP_HOST: '127.0.0.1',
        SANDGLASS_MQTT_PORT: '0',
        SANDGLASS_DEMO: '0',
        SANDGLASS_AUTH: 'off',
        SANDGLASS_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = restart;
    let restartOut = '';
    let restartErr = '';
    restart.stdout.on('data', (d: Buffer) => (restartOut += d.toString()));
    restart.stderr.on('data', (d: Buffer) => (restartErr += d.toString()));
    const restartExited = new Promise<number | null>((resolve) =>
      restart.on('exit', (code) => resolve(code)),
    );
    await expect.poll(() => restartOut, { timeout: 60_000 }).toContain('Ctrl-C');
    await new Promise((resolve) => setTimeout(resolve, 5000));
    restart.kill('SIGINT');
    expect(await restartExited).toBe(0);
    child = undefined;
    expect(restartErr).not.toContain('not stored yet');
    const store = new EmbeddedStore({ dataDir });
    await store.open();
    try {
      expect(await store.countSamples({ rigId: 'demo-rig', cellId: 'cell-01' })).toBeGreaterThan(1000);
      expect((await store.queryAlerts({ rigId: 'demo-rig', limit: 100 })).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 330_000);
});
