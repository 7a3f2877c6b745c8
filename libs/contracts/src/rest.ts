import { z } from 'zod';
import { AlertStateSchema } from './alert.js';
import { ID_PATTERN } from './topics.js';
import { StateMessageSchema } from './state.js';

const id = z.string().regex(ID_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ . - (not . or ..)');
/** Latest time a query may name (the stores keep nanoseconds in a signed 64-bit integer: up to 2262). */
export const QUERY_TIME_MAX_MS = Date.UTC(2200, 0, 1);
/** Times in queries: epoch ms or an ISO-8601 string, between 1970 and 2200. */
const time = z
  .union([z.coerce.number(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
  .pipe(
    z
      .number()
      .min(0, 'must be epoch milliseconds or an ISO-8601 time from 1970 on')
      .max(QUERY_TIME_MAX_MS, 'must be epoch milliseconds or an ISO-8601 time before 2200'),
  );
/** Longest `every` of a history query (one point a year is as coarse as a plot gets). */
export const EVERY_MAX_MS = 366 * 86_400_000;

/** `every` of a history query: a duration like `500ms`, `10s`, `5m`, `1h`. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationToMs(duration: string): number {
  const match = DURATION_PATTERN.exec(duration);
  if (!match) throw new RangeError(`invalid duration ${duration}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `GET /api/cells/{rigId}/{cellId}/telemetry?from=&to=&every=&limit=` */
export const TelemetryQuerySchema = z
  .object({
    from: time.optional(),
    to: time.optional(),
    every: z
      .string()
      .regex(DURATION_PATTERN, 'every must look like 10s, 500ms, 5m')
      .refine((d) => !DURATION_PATTERN.test(d) || (durationToMs(d) >= 1 && durationToMs(d) <= EVERY_MAX_MS), {
        message: 'every must be from 1ms to 366d',
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type TelemetryQuery = z.infer<typeof TelemetryQuerySchema>;

/** One point of history; downsampled points are means over `every`. */
export const TelemetryPointSchema = z.object({
  ts: z.number(),
  v: z.number().nullable(),
  i: z.number().nullable(),
  t: z.number().nullable().optional(),
  p: z.number().nullable().optional(),
});
export type TelemetryPoint = z.infer<typeof TelemetryPointSchema>;

/** `GET /api/alerts?rigId=&cellId=&state=&since=` */
export const AlertsQuerySchema = z.object({
  rigId: id.optional(),
  cellId: id.optional(),
  state: AlertStateSchema.optional(),
  since: time.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type AlertsQuery = z.infer<typeof AlertsQuerySchema>;

/** `GET /api/cells` entries. */
export const CellSummarySchema = z.object({
  rigId: z.string(),
  cellId: z.string(),
  configured: z.boolean(),
  state: StateMessageSchema.nullable(),
});
export type CellSummary = z.infer<typeof CellSummarySchema>;

export const SCENARIOS = ['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const;
export const ScenarioSchema = z.enum(SCENARIOS);
export type Scenario = z.infer<typeof ScenarioSchema>;

export const FILE_FORMATS = [
  'auto',
  'biologic',
  'arbin',
  'maccor',
  'neware',
  'batteryarchive',
  'csv',
] as const;
export const FileFormatSchema = z.enum(FILE_FORMATS);
export type FileFormat = z.infer<typeof FileFormatSchema>;

/** Replay speed: a factor of data time (1–10,000) or `max`. */
export const ReplaySpeedSchema = z.union([z.literal('max'), z.number().min(1).max(10_000)]);
export type ReplaySpeed = z.infer<typeof ReplaySpeedSchema>;

/** `POST /api/replays` */
export const ReplayRequestSchema = z.object({
  source: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('file'),
      path: z.string().min(1),
      format: FileFormatSchema.default('auto'),
      currentA: z.number().optional(),
      map: z.string().optional(),
    }),
    z.object({
      kind: z.literal('simulator'),
      scenario: ScenarioSchema,
      seed: z.number().int().nonnegative().default(1),
    }),
  ]),
  rigId: id,
  cellId: id,
  speed: ReplaySpeedSchema.default(60),
  /** Data time of the first row (ISO-8601); default now. */
  start: z.iso.datetime({ offset: true }).optional(),
  loop: z.boolean().default(false),
});
export type ReplayRequest = z.infer<typeof ReplayRequestSchema>;

export const ReplayStatusSchema = z.object({
  id: z.string(),
  rigId: z.string(),
  cellId: z.string(),
  source: z.string(),
  state: z.enum(['running', 'paused', 'finished', 'stopped', 'failed']),
  speed: ReplaySpeedSchema,
  rowsPublished: z.number().int().nonnegative(),
  rowsTotal: z.number().int().nonnegative().nullable(),
  /** Data time (epoch ms) of the last published row. */
  dataTime: z.number().nullable(),
  error: z.string().optional(),
});
export type ReplayStatus = z.infer<typeof ReplayStatusSchema>;

/** `GET /api/health` */
export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type Health = z.infer<typeof HealthSchema>;

/** Error body of every failed REST call (one global filter). */
export const ErrorBodySchema = z.object({ message: z.string(), issues: z.array(z.string()).optional() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
