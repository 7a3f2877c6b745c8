import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the request generator reads. */
interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One generated HTTP request. */
export interface GeneratedRequest {
  method: string;
  path: string;
  /** The route template, for reports. */
  route: string;
  body?: string;
}

const idLike = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
  fc.constantFrom(
    '.',
    '..',
    '...',
    '',
    ' ',
    '%2e%2e',
    '%2F',
    'a/b',
    'x'.repeat(65),
    'ü',
    '%00',
    '😀',
    'null',
  ),
  fc.string({ maxLength: 80 }),
);

const numberText = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    '1e300',
    '-1e300',
    '-5',
    '0',
    '-0',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e21',
    '9007199254740993',
  ),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
);

const timeText = fc.oneof(
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '2026-13-45T99:99:99Z',
  ),
);

const durationText = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 25n })),
      fc.constantFrom('ms', 's', 'm', 'h', 'd', 'y', ''),
    )
    .map(([n, unit]) => `${n}${unit}`),
  fc.constantFrom('0ms', '-1s', '1.5s', 's', '10 s'),
);

/** A query value: anything a careless or hostile client might send, and sometimes something valid. */
function queryValue(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const family: fc.Arbitrary<string>[] = [
    numberText,
    timeText,
    durationText,
    idLike,
    fc.string({ maxLength: 40 }),
  ];
  if (schema?.enum) family.push(fc.constantFrom(...schema.enum.map(String)));
  return fc.oneof(...family);
}

function resolve(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').pop()!;
  return doc.components?.schemas?.[name] ?? {};
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1e308, 1e308, '', 'x'.repeat(2000), [], {}, true, -0),
);

/**
 * Values shaped by a JSON schema (enums, numbers near and beyond their bounds, nested objects), with
 * junk mixed in at every level so both the valid and the broken sides of each field are walked.
 */
export function valueFor(schema: JsonSchema, doc: OpenApiDocument, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (depth > 4) return junk;
  const shaped = ((): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const variants = s.oneOf ?? s.anyOf;
    if (variants && variants.length > 0) return fc.oneof(...variants.map((v) => valueFor(v, doc, depth + 1)));
    if (s.allOf && s.allOf.length > 0) return valueFor(s.allOf[0]!, doc, depth + 1);
    const type: string = (Array.isArray(s.type) ? s.type[0] : s.type) ?? 'any';
    switch (type) {
      case 'object': {
        const props = Object.entries(s.properties ?? {});
        if (props.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), junk, { maxKeys: 3 });
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [key, prop] of props) model[key] = valueFor(prop, doc, depth + 1);
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
      }
      case 'array':
        return fc.array(s.items ? valueFor(s.items, doc, depth + 1) : junk, { maxLength: 4 });
      case 'integer':
      case 'number': {
        const min = s.minimum ?? -1e6;
        const max = s.maximum ?? 1e6;
        return fc.oneof(
          fc.double({ min, max, noNaN: true }),
          fc.integer({ min: Math.max(-(2 ** 31), Math.ceil(min)), max: Math.min(2 ** 31, Math.floor(max)) }),
          fc.constantFrom(min - 1, max + 1, 0, -1, 1e300, -1e300),
        );
      }
      case 'boolean':
        return fc.boolean();
      case 'string':
        return s.pattern ? fc.oneof(idLike, timeText) : fc.oneof(idLike, timeText, durationText);
      default:
        return junk;
    }
  })();
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}

/** Requests for every operation of the document: generated path ids, query values and JSON bodies. */
export function requestsFor(doc: OpenApiDocument): fc.Arbitrary<GeneratedRequest> {
  const operations: fc.Arbitrary<GeneratedRequest>[] = [];
  for (const [route, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const pathParams = parameters.filter((p) => p.in === 'path');
      const queryParams = parameters.filter((p) => p.in === 'query');
      const pathValues = fc.tuple(...pathParams.map(() => idLike));
      const query = fc.record(
        Object.fromEntries([
          ...queryParams.map((p) => [p.name, queryValue(p.schema)] as const),
          ['unexpected', fc.string({ maxLength: 10 })] as const,
        ]),
        { requiredKeys: [] },
      );
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      const body = bodySchema
        ? fc.oneof(
            { weight: 8, arbitrary: valueFor(bodySchema, doc).map((v) => JSON.stringify(v) ?? 'null') },
            { weight: 1, arbitrary: fc.constantFrom('{', 'not json', '', '[]', '{"a":'.repeat(50)) },
          )
        : fc.constant(undefined);
      operations.push(
        fc.tuple(pathValues, query, body).map(([ids, q, b]) => {
          let path = route;
          pathParams.forEach((p, k) => {
            path = path.replace(`{${p.name}}`, encodeURIComponent(ids[k]!));
          });
          const search = new URLSearchParams(q as Record<string, string>).toString();
          const request: GeneratedRequest = {
            method: method.toUpperCase(),
            path: search ? `${path}?${search}` : path,
            route: `${method.toUpperCase()} ${route}`,
          };
          if (b !== undefined) request.body = route === '/api/replays' ? tameReplaySpeed(b) : b;
          return request;
        }),
      );
    }
  }
  return fc.oneof(...operations);
}

/**
 * A replay body with speed `max` or above 100x gets speed 1: a simulator run at full speed loads the store
 * for tens of seconds (a load test, not what this walk is about); every other field stays as generated.
 */
function tameReplaySpeed(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
  const speed = (parsed as { speed?: unknown }).speed;
  if (speed === 'max' || (typeof speed === 'number' && speed > 100)) {
    return JSON.stringify({ ...parsed, speed: 1 });
  }
  return body;
}

/** Outcome of one request: its status, or `timeout`/`network` when it got none. */
export interface Outcome {
  request: GeneratedRequest;
  status: number | 'timeout' | 'network';
  body?: string;
}

/** Sends one generated request with a deadline. */
export async function send(baseUrl: string, request: GeneratedRequest, timeout_ms: number): Promise<Outcome> {
  try {
    const response = await fetch(baseUrl + request.path, {
      method: request.method,
      headers: request.body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.timeout(timeout_ms),
    });
    const body = await response.text();
    return { request, status: response.status, body: body.slice(0, 2000) };
  } catch (error) {
    return { request, status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'network' };
  }
}

/**
 * True when an answer breaks the rule "bad input is a 4xx": any 5xx (503 from `GET /api/health` is its
 * documented "degraded" answer), or no answer in time.
 */
export function isFailure(outcome: Outcome): boolean {
  if (typeof outcome.status !== 'number') return true;
  if (outcome.status === 503 && outcome.request.route === 'GET /api/health') return false;
  return outcome.status >= 500;
}

/** Totals of a fuzz run. */
export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  failures: Outcome[];
  byRoute: Record<string, number>;
  elapsed_s: number;
}

/**
 * Sends `count` requests generated from the document at `baseUrl` (`concurrency` at a time, seeded),
 * stopping any replay a valid generated request started after each batch.
 */
export async function fuzzApi(
  baseUrl: string,
  options: {
    count: number;
    seed: number;
    concurrency?: number;
    timeout_ms?: number;
    /** Called before each request is sent (tracing). */
    onSend?: (request: GeneratedRequest) => void;
  },
): Promise<FuzzReport> {
  const doc = (await (await fetch(`${baseUrl}/api/docs/json`)).json()) as OpenApiDocument;
  const requests = fc.sample(requestsFor(doc), { numRuns: options.count, seed: options.seed });
  const concurrency = options.concurrency ?? 4;
  const report: FuzzReport = { requests: 0, byStatus: {}, failures: [], byRoute: {}, elapsed_s: 0 };
  const started = performance.now();
  for (let k = 0; k < requests.length; k += concurrency * 25) {
    const batch = requests.slice(k, k + concurrency * 25);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batch.length) {
          const request = batch[next++]!;
          options.onSend?.(request);
          const outcome = await send(baseUrl, request, options.timeout_ms ?? 10_000);
          report.requests++;
          report.byStatus[String(outcome.status)] = (report.byStatus[String(outcome.status)] ?? 0) + 1;
          report.byRoute[outcome.request.route] = (report.byRoute[outcome.request.route] ?? 0) + 1;
          if (isFailure(outcome)) report.failures.push(outcome);
          // A valid generated replay is stopped at once: a simulator run at speed max would otherwise load
          // the machine for the rest of the walk (what is under test here is validation, not load).
          if (outcome.status === 201 && outcome.request.route === 'POST /api/replays' && outcome.body) {
            const id = (JSON.parse(outcome.body) as { id?: string }).id;
            if (id) await fetch(`${baseUrl}/api/replays/${encodeURIComponent(id)}`, { method: 'DELETE' });
          }
        }
      }),
    );
    const replays = (await (await fetch(`${baseUrl}/api/replays`)).json()) as Array<{
      id: string;
      state: string;
    }>;
    for (const replay of replays) {
      if (replay.state === 'running' || replay.state === 'paused') {
        await fetch(`${baseUrl}/api/replays/${encodeURIComponent(replay.id)}`, { method: 'DELETE' });
      }
    }
  }
  report.elapsed_s = (performance.now() - started) / 1000;
  return report;
}
