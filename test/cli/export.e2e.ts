import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CycleSummary, parseEnvironment } from '#contracts';
import { SampleColumns, TELEMETRY_STORE, type TelemetryStore } from '#store';
import { type RunningApi, startApi } from '#api';
import { describeWithServices, testServices } from '../support/services.js';

const root = path.resolve(import.meta.dirname, '../..');
const T0 = Date.UTC(2026, 0, 1);
const cell = { rigId: 'cli-export', cellId: 'c1' };

function sandglass(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/sandglass.js'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `sandglass export` against a running api with the embedded store. */
describeWithServices('sandglass export against the api', () => {
  let api: RunningApi;
  let dir: string;
  const N = 20_000;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandglass-cli-export-'));
    const env = parseEnvironment({
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_MQTT_URL: testServices().mqttUrl,
      SANDGLASS_DATA_DIR: path.join(dir, 'data'),
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    api = await startApi(env, { dashboardDir: dir });
    const store = api.app.get<TelemetryStore>(TELEMETRY_STORE);
    const columns = new SampleColumns(N);
    for (let k = 0; k < N; k++) {
      const j = columns.add(cell.rigId, cell.cellId, 1);
      columns.ts[j] = T0 + k * 500;
      columns.v[j] = 3.5 + k / N;
      columns.i[j] = k % 2000 < 1000 ? 0.002 : -0.002;
      columns.t[j] = k % 2 === 0 ? 25 : NaN;
      columns.p[j] = NaN;
      columns.seq[j] = k;
      columns.cycle[j] = 1 + Math.floor(k / 2000);
      columns.step[j] = NaN;
    }
    await store.writeSamples(columns);
    const cycle: CycleSummary = {
      ...cell,
      cycle: 1,
      start: T0,
      end: T0 + 999_500,
      chargeCapacity_mAh: 0.2775,
      dischargeCapacity_mAh: 0.2775,
      coulombicEfficiency: 1,
      chargeEnergy_mWh: 1,
      dischargeEnergy_mWh: 0.9,
      meanPolarization_V: 0.01,
      meanChargeVoltage_V: 3.6,
      meanDischargeVoltage_V: 3.59,
      duration_s: 999.5,
      chargeDuration_s: 499.5,
      dischargeDuration_s: 499.5,
      samples: 2000,
      complete: true,
      source: 'cycler',
    };
    await store.writeCycles([cycle]);
  });

  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the samples as CSV with Battery Data Format columns, in a time range too', async () => {
    const out = path.join(dir, 'all.csv');
    const args = ['export', '--rig', cell.rigId, '--cell', cell.cellId, '--api', api.url];
    const { code, stdout, stderr } = await sandglass([...args, '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^wrote .*all\.csv: \d+ bytes in/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Test Time / s,Unix Time / s,Voltage / V,Current / A,Temperature T1 / degC,Stack Pressure / MPa,Cycle Count / 1,Step Index / 1',
    );
    expect(lines).toHaveLength(N + 1);
    expect(lines[1]!.split(',')).toEqual([
      '0.0',
      String(T0 / 1000) + '.0',
      '3.5',
      '0.002',
      '25.0',
      '',
      '1',
      '',
    ]);
    const last = lines[N]!.split(',').map(Number);
    expect(last[0]).toBe(((N - 1) * 500) / 1000);
    expect(last[2]).toBeCloseTo(3.5 + (N - 1) / N, 12);
    expect(last[6]).toBe(10);

    const windowOut = path.join(dir, 'window.csv');
    const from = new Date(T0 + 1000_000).toISOString();
    const window = await sandglass([
      ...args,
      '--out',
      windowOut,
      '--from',
      from,
      '--to',
      String(T0 + 1_999_500),
    ]);
    expect(window.code).toBe(0);
    expect(readFileSync(windowOut, 'utf8').trimEnd().split('\n')).toHaveLength(2000 + 1);
  });

  it('writes Parquet and the per-cycle table, and refuses a bad format with exit code 2', async () => {
    const args = ['export', '--rig', cell.rigId, '--cell', cell.cellId, '--api', api.url];
    const parquet = path.join(dir, 'all.parquet');
    expect((await sandglass([...args, '--format', 'parquet', '--out', parquet])).code).toBe(0);
    const bytes = readFileSync(parquet);
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');

    const cycles = path.join(dir, 'cycles.csv');
    expect((await sandglass([...args, '--table', 'cycles', '--out', cycles])).code).toBe(0);
    const rows = readFileSync(cycles, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]!.startsWith('1,1767225600,1767226599.5,0.0002775,')).toBe(true);

    const bad = await sandglass([...args, '--format', 'xlsx', '--out', path.join(dir, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format');
  });
});
