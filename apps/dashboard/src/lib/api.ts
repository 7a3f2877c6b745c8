import {
  AlertEventSchema,
  CellConfigSchema,
  CellSummarySchema,
  CycleSummarySchema,
  ErrorBodySchema,
  ReplayStatusSchema,
  TelemetryPointSchema,
  type AlertEvent,
  type AlertsQuery,
  type CellConfig,
  type CellConfigBody,
  type CellSummary,
  type CycleSummary,
  type ReplayRequest,
  type ReplayStatus,
  type TelemetryPoint,
} from '#contracts';
import { z } from 'zod';
import { authHeaders } from './token.js';

/** Why a REST call failed: the api could not be reached, it said no, or it said something unreadable. */
export type ApiProblem =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'http'; status: number; message: string; issues: string[] }
  | { kind: 'bad-response'; detail: string };

export type ApiResult<T> = { ok: true; value: T } | { ok: false; problem: ApiProblem };

export function describeProblem(problem: ApiProblem): string {
  switch (problem.kind) {
    case 'unreachable':
      return `The Sandglass API cannot be reached (${problem.detail}).`;
    case 'http':
      return `${problem.message} (HTTP ${problem.status})`;
    case 'bad-response':
      return `The API sent a response the dashboard cannot read: ${problem.detail}`;
  }
}

/** The problem of a non-2xx response, using the API's `{message, issues}` error body when it sent one. */
export function problemFromResponse(status: number, bodyText: string): ApiProblem {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    return { kind: 'http', status, message: parsed.data.message, issues: parsed.data.issues ?? [] };
  }
  // A proxy in front of a stopped api answers 502/503/504 with a page of its own.
  if (status === 502 || status === 503 || status === 504) {
    return { kind: 'unreachable', detail: `HTTP ${status} from the server in front of it` };
  }
  return { kind: 'http', status, message: bodyText.trim().slice(0, 200) || `request failed`, issues: [] };
}

/** Checks a 2xx body against the schema; an empty body reads as null. */
export function readBody<T>(bodyText: string, schema: z.ZodType<T>): ApiResult<T> {
  let body: unknown = null;
  if (bodyText.trim() !== '') {
    try {
      body = JSON.parse(bodyText);
    } catch {
      return { ok: false, problem: { kind: 'bad-response', detail: 'not JSON' } };
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, problem: { kind: 'bad-response', detail: `${issue?.message ?? 'invalid'}${where}` } };
  }
  return { ok: true, value: parsed.data };
}

export async function request<T>(
  method: string,
  path: string,
  schema: z.ZodType<T>,
  body?: unknown,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: authHeaders(
        body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return {
      ok: false,
      problem: { kind: 'unreachable', detail: error instanceof Error ? error.message : String(error) },
    };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return {
      ok: false,
      problem: { kind: 'unreachable', detail: error instanceof Error ? error.message : String(error) },
    };
  }
  if (!response.ok) return { ok: false, problem: problemFromResponse(response.status, text) };
  return readBody(text, schema);
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const cellPath = (rigId: string, cellId: string): string =>
  `/api/cells/${encodeURIComponent(rigId)}/${encodeURIComponent(cellId)}`;

/** `GET …/config`: the configuration and the numbers derived from it (J*, CSC, …). */
export const ConfigResponseSchema = z.object({
  config: CellConfigSchema,
  derived: z.record(z.string(), z.unknown()).default({}),
});
export type ConfigResponse = z.infer<typeof ConfigResponseSchema>;

export const api = {
  cells: (): Promise<ApiResult<CellSummary[]>> => request('GET', '/api/cells', z.array(CellSummarySchema)),
  config: (rigId: string, cellId: string): Promise<ApiResult<ConfigResponse>> =>
    request('GET', `${cellPath(rigId, cellId)}/config`, ConfigResponseSchema),
  putConfig: (rigId: string, cellId: string, body: CellConfigBody): Promise<ApiResult<unknown>> =>
    request('PUT', `${cellPath(rigId, cellId)}/config`, z.unknown(), body),
  cycles: (rigId: string, cellId: string): Promise<ApiResult<CycleSummary[]>> =>
    request('GET', `${cellPath(rigId, cellId)}/cycles`, z.array(CycleSummarySchema)),
  telemetry: (
    rigId: string,
    cellId: string,
    q: { from?: number; to?: number; every?: string; limit?: number },
  ): Promise<ApiResult<TelemetryPoint[]>> =>
    request('GET', `${cellPath(rigId, cellId)}/telemetry${query(q)}`, z.array(TelemetryPointSchema)),
  alerts: (
    q: Partial<Omit<AlertsQuery, 'since'>> & { since?: number } = {},
  ): Promise<ApiResult<AlertEvent[]>> => request('GET', `/api/alerts${query(q)}`, z.array(AlertEventSchema)),
  ack: (id: string, acknowledgedBy?: string): Promise<ApiResult<unknown>> =>
    request(
      'POST',
      `/api/alerts/${encodeURIComponent(id)}/ack`,
      z.unknown(),
      acknowledgedBy ? { acknowledgedBy } : {},
    ),
  replays: (): Promise<ApiResult<ReplayStatus[]>> =>
    request('GET', '/api/replays', z.array(ReplayStatusSchema)),
  startReplay: (body: ReplayRequest): Promise<ApiResult<ReplayStatus>> =>
    request('POST', '/api/replays', ReplayStatusSchema, body),
  stopReplay: (id: string): Promise<ApiResult<unknown>> =>
    request('DELETE', `/api/replays/${encodeURIComponent(id)}`, z.unknown()),
};

export type { CellConfig };
