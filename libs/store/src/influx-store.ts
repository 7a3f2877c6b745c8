import http from 'node:http';
import https from 'node:https';
import type {
  AlertEvent,
  AlertsQuery,
  CellConfig,
  CycleSummary,
  StateMessage,
  TelemetryPoint,
  TelemetryQuery,
} from '#contracts';
import { TS_MAX_MS, TS_MIN_MS } from '#contracts';
import {
  encodeAlert,
  encodeCheckpoint,
  encodeConfig,
  encodeCycle,
  encodeSampleBytes,
  encodeState,
  msToMicros,
} from './line-protocol.js';
import { asColumns, type SampleColumns } from './sample-columns.js';
import { StoreError, bucketMs } from './store-error.js';
import {
  compareCells,
  emptySamplePage,
  type CellKey,
  type CellSample,
  type DetectorCheckpoint,
  type SamplePage,
  type SamplePagesQuery,
  type StoredCell,
  type TelemetryStore,
} from './telemetry-store.js';

export interface InfluxStoreOptions {
  /** Base URL of the InfluxDB 1.x HTTP API, e.g. http://127.0.0.1:8086 */
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Lines per write request; InfluxData recommends 5,000–10,000. */
  linesPerRequest?: number;
  /** Per-request timeout. */
  timeout_ms?: number;
  /** Clock for the config write time (tests may pin it). */
  now?: () => number;
}

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}
interface InfluxResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
}

const MAX_LINES_PER_REQUEST = 10_000;
/**
 * The newest point of each series. Rather than last(), which reads a series' whole history in InfluxDB
 * 1.x, a descending raw query with LIMIT 1 (per series under GROUP BY tags) stops at the first point.
 */
const LATEST = 'ORDER BY time DESC LIMIT 1';
const DAY_MS = 86_400_000;
const CHECKPOINTS_PER_REQUEST = 200;

/** Quotes an InfluxQL string literal. */
function literal(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** An epoch-ms time as an InfluxQL nanosecond integer literal (exact: microseconds followed by 000). */
function timeLiteral(ts_ms: number): string {
  return msToMicros(ts_ms) + '000';
}

function cellWhere(cell: CellKey): string {
  return `rig = ${literal(cell.rigId)} AND cell = ${literal(cell.cellId)}`;
}

function num(x: unknown): number | null {
  return typeof x === 'number' ? x : null;
}

/**
 * TelemetryStore on InfluxDB through its 1.x HTTP API — line protocol `POST /write` and InfluxQL
 * `/query` — which InfluxDB 1.x, 2.x (v1 compatibility endpoints) and 3.x all speak. Queries stay in the
 * plain subset they share: SELECT with tag and time conditions, `GROUP BY time(..)` with mean(), the
 * newest point per tag with ORDER BY time DESC LIMIT 1; no subqueries, continuous queries or Flux.
 *
 * It talks HTTP with Node's built-in fetch (undici, keep-alive by default) instead of a client library:
 * the 1.x client `influx` (5.x) was last released in 2020 and is unmaintained, and
 * `@influxdata/influxdb-client` speaks the 2.x API (Flux, buckets, tokens), not the 1.x one. The
 * protocol needed here is two endpoints, and owning the encoder keeps the write path fast.
 *
 * Writes throw StoreError; retrying is the caller's job (ingest's write-ahead log). Writes are
 * idempotent: a point with the same series and timestamp overwrites the earlier one.
 */
export class InfluxStore implements TelemetryStore {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly linesPerRequest: number;
  /** Day of the checkpoint points written last (older days' points are deleted once a day). */
  private checkpointDay_ms = -Infinity;
  private readonly timeout_ms: number;
  private readonly now: () => number;

  constructor(private readonly options: InfluxStoreOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.headers = {};
    if (options.username !== undefined || options.password !== undefined) {
      const token = Buffer.from(`${options.username ?? ''}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${token}`;
    }
    this.linesPerRequest = Math.min(options.linesPerRequest ?? MAX_LINES_PER_REQUEST, MAX_LINES_PER_REQUEST);
    this.timeout_ms = options.timeout_ms ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get database(): string {
    return this.options.database;
  }

  /**
   * Checks InfluxDB answers, then creates the database. CREATE DATABASE is best effort: InfluxDB 2.x
   * (v1 compatibility) and 3.x do not support it — 3.x creates databases on first write, 2.x needs a
   * DBRP mapping made by its operator — and a user without admin rights may write to an existing
   * database, so a refused statement is not an error here; refused credentials (401) are.
   */
  async open(): Promise<void> {
    if (!(await this.ping())) {
      throw new StoreError(`InfluxDB at ${this.base} does not answer /ping`, true);
    }
    await this.createDatabase().catch((error: unknown) => {
      if (error instanceof StoreError && error.retryable) throw error;
      if (error instanceof StoreError && error.status === 401) throw error;
    });
  }

  async close(): Promise<void> {
    // fetch's keep-alive sockets belong to undici's global pool and close themselves when idle.
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/ping`, {
        headers: this.headers,
        signal: AbortSignal.timeout(Math.min(this.timeout_ms, 5000)),
      });
      await res.arrayBuffer();
      return res.status === 204 || res.status === 200;
    } catch {
      return false;
    }
  }

  async writeSamples(samples: readonly CellSample[] | SampleColumns): Promise<void> {
    const columns = asColumns(samples);
    for (let start = 0; start < columns.length; start += this.linesPerRequest) {
      const end = Math.min(start + this.linesPerRequest, columns.length);
      await this.write(encodeSampleBytes(columns, start, end));
    }
  }

  async writeStates(states: readonly StateMessage[]): Promise<void> {
    await this.writeLines(states, encodeState);
  }

  async writeAlerts(alerts: readonly AlertEvent[]): Promise<void> {
    await this.writeLines(alerts, encodeAlert);
  }

  async putCellConfig(config: CellConfig): Promise<void> {
    await this.write(encodeConfig(config, this.now()));
  }

  async getCellConfig(cell: CellKey): Promise<CellConfig | null> {
    const [result] = await this.query(`SELECT json FROM cell_config WHERE ${cellWhere(cell)} ${LATEST}`);
    const json = result?.series?.[0]?.values?.[0]?.[1];
    return typeof json === 'string' ? (JSON.parse(json) as CellConfig) : null;
  }

  async listCellConfigs(): Promise<CellConfig[]> {
    const [result] = await this.query(`SELECT json FROM cell_config GROUP BY rig, cell ${LATEST}`);
    const configs: CellConfig[] = [];
    for (const series of result?.series ?? []) {
      const json = series.values?.[0]?.[1];
      if (typeof json === 'string') configs.push(JSON.parse(json) as CellConfig);
    }
    return configs.sort(compareCells);
  }

  async listCells(): Promise<StoredCell[]> {
    const [states, configs] = await this.query(
      'SELECT last(json) AS json FROM cell_state GROUP BY rig, cell; ' +
        `SELECT json FROM cell_config GROUP BY rig, cell ${LATEST}`,
    );
    const cells = new Map<string, StoredCell>();
    for (const series of configs?.series ?? []) {
      const rigId = series.tags?.rig;
      const cellId = series.tags?.cell;
      if (rigId === undefined || cellId === undefined) continue;
      cells.set(`${rigId}/${cellId}`, { rigId, cellId, configured: true, state: null });
    }
    for (const series of states?.series ?? []) {
      const rigId = series.tags?.rig;
      const cellId = series.tags?.cell;
      const json = series.values?.[0]?.[1];
      if (rigId === undefined || cellId === undefined || typeof json !== 'string') continue;
      const key = `${rigId}/${cellId}`;
      const state = JSON.parse(json) as StateMessage;
      cells.set(key, { rigId, cellId, configured: cells.get(key)?.configured ?? false, state });
    }
    return [...cells.values()].sort(compareCells);
  }

  async queryTelemetry(cell: CellKey, query: TelemetryQuery): Promise<TelemetryPoint[]> {
    const every_ms = query.every === undefined ? undefined : bucketMs(query.every);
    const from = timeLiteral(query.from ?? TS_MIN_MS);
    const to = timeLiteral(query.to ?? TS_MAX_MS);
    const where = `${cellWhere(cell)} AND time >= ${from} AND time <= ${to}`;
    const sql =
      every_ms === undefined
        ? `SELECT v, i, t, p FROM telemetry WHERE ${where} ORDER BY time ASC LIMIT ${query.limit}`
        : `SELECT mean(v) AS v, mean(i) AS i, mean(t) AS t, mean(p) AS p FROM telemetry WHERE ${where} ` +
          `GROUP BY time(${every_ms * 1000}u) fill(none) ORDER BY time ASC LIMIT ${query.limit}`;
    const [result] = await this.query(sql);
    const series = result?.series?.[0];
    if (!series?.values) return [];
    const col = (name: string) => series.columns.indexOf(name);
    const [cv, ci, ct, cp] = [col('v'), col('i'), col('t'), col('p')];
    return series.values.map((row) => {
      const point: TelemetryPoint = { ts: (row[0] as number) / 1000, v: num(row[cv]), i: num(row[ci]) };
      const t = num(row[ct]);
      const p = num(row[cp]);
      if (t !== null) point.t = t;
      if (p !== null) point.p = p;
      return point;
    });
  }

  async queryAlerts(query: AlertsQuery): Promise<AlertEvent[]> {
    const conditions: string[] = [];
    if (query.rigId !== undefined) conditions.push(`rig = ${literal(query.rigId)}`);
    if (query.cellId !== undefined) conditions.push(`cell = ${literal(query.cellId)}`);
    // An alert whose latest event is at or after `since` has that event among those after `since`.
    if (query.since !== undefined) conditions.push(`time >= ${timeLiteral(query.since)}`);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const [result] = await this.query(`SELECT json FROM alert${where} GROUP BY id ${LATEST}`);
    const alerts: AlertEvent[] = [];
    for (const series of result?.series ?? []) {
      const json = series.values?.[0]?.[1];
      if (typeof json !== 'string') continue;
      const alert = JSON.parse(json) as AlertEvent;
      if (query.state === undefined || alert.state === query.state) alerts.push(alert);
    }
    alerts.sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return alerts.slice(0, query.limit);
  }

  async countSamples(cell: CellKey): Promise<number> {
    const [result] = await this.query(`SELECT count(v) FROM telemetry WHERE ${cellWhere(cell)}`);
    return num(result?.series?.[0]?.values?.[0]?.[1]) ?? 0;
  }

  async writeCycles(cycles: readonly CycleSummary[]): Promise<void> {
    const writtenAt_ms = this.now();
    await this.writeLines(cycles, (cycle) => encodeCycle(cycle, writtenAt_ms));
  }

  async writeCheckpoints(checkpoints: readonly DetectorCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    const day_ms = Math.floor(this.now() / DAY_MS) * DAY_MS;
    // Checkpoints are ~20 KB each: fewer per request than samples.
    for (let start = 0; start < checkpoints.length; start += CHECKPOINTS_PER_REQUEST) {
      let body = '';
      for (const c of checkpoints.slice(start, start + CHECKPOINTS_PER_REQUEST))
        body += encodeCheckpoint(c, day_ms);
      await this.write(body);
    }
    const previousDay_ms = this.checkpointDay_ms;
    this.checkpointDay_ms = day_ms;
    if (previousDay_ms !== -Infinity && day_ms > previousDay_ms) {
      // A new day's point per cell: the older ones are superseded. Once a day in a running process, not
      // at each start (a DELETE scans every shard). Best effort (InfluxDB 3 has no DELETE; a retention
      // policy ages them out there).
      await this.request(
        '/query',
        { q: `DELETE FROM detector_checkpoint WHERE time < ${timeLiteral(day_ms)}` },
        'POST',
      ).catch(() => undefined);
    }
  }

  async readCheckpoints(): Promise<DetectorCheckpoint[]> {
    const [result] = await this.query(
      `SELECT ts, version, state FROM detector_checkpoint GROUP BY rig, cell ${LATEST}`,
    );
    const checkpoints: DetectorCheckpoint[] = [];
    for (const series of result?.series ?? []) {
      const rigId = series.tags?.rig;
      const cellId = series.tags?.cell;
      const [, ts, version, state] = series.values?.[0] ?? [];
      if (rigId === undefined || cellId === undefined) continue;
      if (typeof ts !== 'number' || typeof version !== 'number' || typeof state !== 'string') continue;
      checkpoints.push({ rigId, cellId, ts, version, state });
    }
    return checkpoints.sort(compareCells);
  }

  async queryCycles(cell: CellKey): Promise<CycleSummary[]> {
    const [result] = await this.query(`SELECT "cycle", written, json FROM "cycle" WHERE ${cellWhere(cell)}`);
    const latest = new Map<number, { written: number; json: string }>();
    for (const [, cycle, written, json] of result?.series?.[0]?.values ?? []) {
      if (typeof cycle !== 'number' || typeof json !== 'string') continue;
      const at = typeof written === 'number' ? written : 0;
      const seen = latest.get(cycle);
      if (!seen || at >= seen.written) latest.set(cycle, { written: at, json });
    }
    return [...latest.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, { json }]) => JSON.parse(json) as CycleSummary);
  }

  /**
   * One chunked query streamed as CSV (`Accept: application/csv`, InfluxDB 1.x), not `LIMIT` pages of
   * JSON, each page a new query (1 M samples: read in 2.2–2.9 s; the pages took 19–36 s, and about 10×
   * longer than the CSV stream in a side-by-side run on a loaded machine). Servers that answer JSON (the v1
   * compatibility API of 2.x) are read as chunked JSON, one object a line. Rows are parsed as they arrive,
   * so memory holds one page whatever the length of the series.
   */
  async *readSamplePages(cell: CellKey, query: SamplePagesQuery): AsyncGenerator<SamplePage> {
    const pageSize = query.pageSize ?? 10_000;
    const q =
      `SELECT v, i, t, p, "cycle", step FROM telemetry WHERE ${cellWhere(cell)} ` +
      `AND time >= ${timeLiteral(query.from ?? TS_MIN_MS)} AND time <= ${timeLiteral(query.to ?? TS_MAX_MS)}`;
    const res = await this.openQueryStream(q, pageSize);
    const pages = new PageFiller(pageSize);
    const readLine = (res.headers.get('content-type') ?? '').includes('csv')
      ? csvLineReader(pages)
      : jsonLineReader(pages);
    // Lines are parsed synchronously a network chunk at a time (an async step per row cost more than the
    // parsing itself); full pages are handed on between chunks.
    for await (const lines of lineBatches(res.body!, this.timeout_ms)) {
      for (const line of lines) readLine(line);
      yield* pages.takeFull();
    }
    yield* pages.takeRest();
  }

  /** Sends a chunked query and returns the response once its headers are in (the body is streamed). */
  private async openQueryStream(q: string, chunkSize: number): Promise<Response> {
    const search = new URLSearchParams({
      db: this.database,
      q,
      epoch: 'u',
      chunked: 'true',
      chunk_size: String(chunkSize),
    });
    // The timeout covers the wait for the headers only: an AbortSignal.timeout would also cut the body.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.timeout_ms} ms`)),
      this.timeout_ms,
    );
    let res: Response;
    try {
      res = await fetch(`${this.base}/query?${search}`, {
        // Uncompressed: undici's gunzip stream gathers its output with an O(n²) buffer-list walk
        // (streams/readable fromList: 9 of 17 s for 1 M samples in a profile).
        headers: { ...this.headers, accept: 'application/csv', 'accept-encoding': 'identity' },
        signal: controller.signal,
      });
    } catch (error) {
      throw new StoreError(`InfluxDB query failed: ${errorText(error)}`, true, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (res.status !== 200 || !res.body) throw await httpError('query', res);
    return res;
  }

  private async writeLines<T>(items: readonly T[], encode: (item: T) => string): Promise<void> {
    for (let start = 0; start < items.length; start += this.linesPerRequest) {
      let body = '';
      const end = Math.min(start + this.linesPerRequest, items.length);
      for (let k = start; k < end; k++) body += encode(items[k]!);
      await this.write(body);
    }
  }

  private async createDatabase(): Promise<void> {
    await this.request('/query', { q: `CREATE DATABASE "${this.database.replace(/"/g, '')}"` }, 'POST');
  }

  /**
   * POSTs line protocol. A database missing on the server (wiped, or InfluxDB restarted empty) is
   * created and the write tried once more, so a store opened while InfluxDB was down recovers alone.
   */
  private async write(body: string | Buffer): Promise<void> {
    if (body.length === 0) return;
    try {
      await this.post(body);
    } catch (error) {
      if (!(error instanceof StoreError) || error.status !== 404) throw error;
      await this.createDatabase();
      await this.post(body);
    }
  }

  /**
   * One write over node:http rather than fetch: fetch copies a Buffer body into a fresh Uint8Array and
   * runs it through a web stream, about 5 % of ingest's CPU in the bench:ingest profile (100 cells,
   * batched). Keep-alive sockets come from the global agent, which unrefs them while idle.
   */
  private post(body: string | Buffer): Promise<void> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const url = new URL(`${this.base}/write?${new URLSearchParams({ db: this.database, precision: 'u' })}`);
    const failed = (error: unknown) =>
      new StoreError(`InfluxDB write failed: ${errorText(error)}`, true, undefined, { cause: error });
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          headers: {
            ...this.headers,
            'content-type': 'text/plain; charset=utf-8',
            'content-length': bytes.length,
          },
          signal: AbortSignal.timeout(this.timeout_ms),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(failed(error)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 204 || status === 200) resolve();
            else reject(statusError('write', status, Buffer.concat(chunks).toString('utf8')));
          });
        },
      );
      request.on('error', (error) => reject(failed(error)));
      request.end(bytes);
    });
  }

  /** Runs InfluxQL (several statements may be separated by `;`) and returns one result per statement. */
  private async query(q: string): Promise<InfluxResult[]> {
    const body = (await this.request('/query', { q, epoch: 'u' }, 'GET')) as { results?: InfluxResult[] };
    const results = body.results ?? [];
    for (const result of results) {
      // InfluxDB answers "database not found" for reads of a database nothing was written to yet.
      if (result.error && !/database not found/.test(result.error)) {
        throw new StoreError(`InfluxDB query failed: ${result.error}`, false);
      }
    }
    return results;
  }

  private async request(
    path: string,
    params: Record<string, string>,
    method: 'GET' | 'POST',
  ): Promise<unknown> {
    const search = new URLSearchParams({ db: this.database, ...params });
    let res: Response;
    try {
      res =
        method === 'GET'
          ? await fetch(`${this.base}${path}?${search}`, {
              headers: this.headers,
              signal: AbortSignal.timeout(this.timeout_ms),
            })
          : await fetch(`${this.base}${path}`, {
              method: 'POST',
              headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
              body: search.toString(),
              signal: AbortSignal.timeout(this.timeout_ms),
            });
    } catch (error) {
      throw new StoreError(`InfluxDB query failed: ${errorText(error)}`, true, undefined, { cause: error });
    }
    if (res.status !== 200) throw await httpError('query', res);
    const body = (await res.json()) as { error?: string; results?: InfluxResult[] };
    if (body.error) throw new StoreError(`InfluxDB ${path} failed: ${body.error}`, false, res.status);
    if (method === 'POST') {
      const error = body.results?.find((r) => r.error)?.error;
      if (error) throw new StoreError(`InfluxDB ${path} failed: ${error}`, false, res.status);
    }
    return body;
  }
}

/** The first `length` samples of a page. */
function truncatePage(page: SamplePage, length: number): SamplePage {
  return {
    length,
    ts: page.ts.subarray(0, length),
    v: page.v.subarray(0, length),
    i: page.i.subarray(0, length),
    t: page.t.subarray(0, length),
    p: page.p.subarray(0, length),
    cycle: page.cycle.subarray(0, length),
    step: page.step.subarray(0, length),
  };
}

/**
 * The complete lines of a streamed body, a network chunk's worth at a time. A body silent for `idle_ms`
 * is abandoned with a retryable error.
 */
async function* lineBatches(body: ReadableStream<Uint8Array>, idle_ms: number): AsyncGenerator<string[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StoreError(`InfluxDB query stalled for ${idle_ms} ms`, true)),
          idle_ms,
        );
      });
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await Promise.race([reader.read(), idle]);
      } catch (error) {
        if (error instanceof StoreError) throw error;
        throw new StoreError(`InfluxDB query failed: ${errorText(error)}`, true, undefined, { cause: error });
      } finally {
        clearTimeout(timer);
      }
      if (chunk.done) break;
      const lines = (rest + decoder.decode(chunk.value, { stream: true })).split('\n');
      rest = lines.pop()!;
      yield lines;
    }
    rest += decoder.decode();
    if (rest.length > 0) yield [rest];
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Fills sample pages a row at a time; full ones are taken between network chunks. */
class PageFiller {
  private page: SamplePage;
  private length = 0;
  private full: SamplePage[] = [];

  constructor(private readonly pageSize: number) {
    this.page = emptySamplePage(pageSize);
  }

  /** Columns of the row being filled, in SAMPLE_COLUMNS order (time in µs). */
  set(column: number, value: number): void {
    const page = this.page;
    const k = this.length;
    switch (column) {
      case 0:
        page.ts[k] = value / 1000;
        break;
      case 1:
        page.v[k] = value;
        break;
      case 2:
        page.i[k] = value;
        break;
      case 3:
        page.t[k] = value;
        break;
      case 4:
        page.p[k] = value;
        break;
      case 5:
        page.cycle[k] = value;
        break;
      case 6:
        page.step[k] = value;
        break;
    }
  }

  endRow(): void {
    if (++this.length < this.pageSize) return;
    this.full.push(this.page);
    this.page = emptySamplePage(this.pageSize);
    this.length = 0;
  }

  takeFull(): SamplePage[] {
    return this.full.splice(0);
  }

  takeRest(): SamplePage[] {
    const pages = this.takeFull();
    if (this.length > 0) pages.push(truncatePage(this.page, this.length));
    return pages;
  }
}

const SAMPLE_COLUMNS = ['time', 'v', 'i', 't', 'p', 'cycle', 'step'] as const;

/**
 * Reads InfluxDB's CSV answer a line at a time: a header `name,tags,time,v,…` (repeated when a new
 * series or chunk begins), then one line per point, empty fields absent. An error arrives as a header
 * without a `time` column.
 */
function csvLineReader(pages: PageFiller): (line: string) => void {
  /** Page column of each CSV column (-1: not a sample column). */
  let targets: number[] | undefined;
  return (line) => {
    if (line.length === 0) return;
    if (line.startsWith('name,')) {
      targets = line
        .split(',')
        .map((name) => SAMPLE_COLUMNS.indexOf(name as (typeof SAMPLE_COLUMNS)[number]));
      if (!targets.includes(0)) throw new StoreError(`InfluxDB query failed: ${line.slice(0, 500)}`, false);
      return;
    }
    if (!targets) throw new StoreError(`InfluxDB query failed: ${line.slice(0, 500)}`, false);
    let start = 0;
    for (let column = 0; column < targets.length; column++) {
      let end = line.indexOf(',', start);
      if (end < 0) end = line.length;
      const target = targets[column]!;
      if (target >= 0 && end > start) pages.set(target, Number(line.slice(start, end)));
      start = end + 1;
    }
    pages.endRow();
  };
}

/** Reads chunked JSON (one `{"results":[…]}` object a line), for servers that answer no CSV. */
function jsonLineReader(pages: PageFiller): (line: string) => void {
  return (line) => {
    if (line.length === 0) return;
    const body = JSON.parse(line) as { error?: string; results?: InfluxResult[] };
    const result = body.results?.[0];
    const error = body.error ?? result?.error;
    if (error && !/database not found/.test(error)) {
      throw new StoreError(`InfluxDB query failed: ${error}`, false);
    }
    for (const series of result?.series ?? []) {
      const targets = series.columns.map((name) =>
        SAMPLE_COLUMNS.indexOf(name as (typeof SAMPLE_COLUMNS)[number]),
      );
      for (const row of series.values ?? []) {
        for (let column = 0; column < targets.length; column++) {
          const value = num(row[column]);
          if (targets[column]! >= 0 && value !== null) pages.set(targets[column]!, value);
        }
        pages.endRow();
      }
    }
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

async function httpError(what: string, res: Response): Promise<StoreError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the body is only for the message
  }
  return statusError(what, res.status, text);
}

function statusError(what: string, status: number, text: string): StoreError {
  let detail = text;
  try {
    detail = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // not JSON: the text itself
  }
  const retryable = status >= 500 || status === 429 || status === 408;
  return new StoreError(
    `InfluxDB ${what} failed with HTTP ${status}: ${detail.slice(0, 500)}`,
    retryable,
    status,
  );
}
