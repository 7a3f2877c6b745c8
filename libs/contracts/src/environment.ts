import { z } from 'zod';
import { ID_PATTERN } from './topics.js';

const port = z.coerce.number().int().min(0).max(65_535);
const flag = z.enum(['0', '1']).transform((s) => s === '1');
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((s) => protocols.includes(new URL(s).protocol), {
      message: `must start with ${protocols.join(' or ')}//`,
    });

/** Every environment variable Sandglass reads (DESIGN.md "Command line and environment"). All optional. */
export const EnvironmentSchema = z
  .object({
    SANDGLASS_HTTP_PORT: port.default(3000),
    /** Address the HTTP server binds to. */
    SANDGLASS_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    /** An external broker; unset = the embedded Aedes broker. */
    SANDGLASS_MQTT_URL: url(['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']).optional(),
    SANDGLASS_MQTT_USERNAME: z.string().optional(),
    SANDGLASS_MQTT_PASSWORD: z.string().optional(),
    /** Embedded broker port; if taken, the next free port (printed). */
    SANDGLASS_MQTT_PORT: port.default(1883),
    /** Address the embedded broker's listener for rigs binds to (127.0.0.1 whenever SANDGLASS_AUTH=off). */
    SANDGLASS_MQTT_HOST: z.string().min(1).default('0.0.0.0'),
    /** InfluxDB 1.x HTTP API; unset = the embedded store. */
    SANDGLASS_INFLUX_URL: url(['http:', 'https:']).optional(),
    SANDGLASS_INFLUX_DB: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/)
      .default('sandglass'),
    SANDGLASS_INFLUX_USERNAME: z.string().optional(),
    SANDGLASS_INFLUX_PASSWORD: z.string().optional(),
    SANDGLASS_DATA_DIR: z.string().min(1).default('./data'),
    SANDGLASS_DEMO: flag.default(false),
    /** 0 = no failure model (physics detectors only; saves the TF.js backend's memory). */
    SANDGLASS_MODEL: flag.default(true),
    /** Stable MQTT client id of an ingest process (its persistent session). */
    SANDGLASS_INGEST_CLIENT_ID: z.string().regex(ID_PATTERN).default('sandglass-ingest'),
    /** Comma-separated rig ids this ingest process takes (scale-out); unset = every rig. */
    SANDGLASS_INGEST_RIGS: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').map((r) => r.trim()) : undefined))
      .pipe(z.array(z.string().regex(ID_PATTERN)).optional()),
    /**
     * How ingest processes sharing a broker split the rigs. `static`: this process takes
     * SANDGLASS_INGEST_RIGS (or every rig). `hash`: the processes with this setting share the rigs of
     * SANDGLASS_INGEST_RIGS by rendezvous hash over the live processes (presence with an MQTT will), and
     * take over a failed process's rigs from their checkpoints (docs/scaling.md).
     */
    SANDGLASS_INGEST_PARTITION: z.enum(['static', 'hash']).default('static'),
    /** `hash` partitioning: how long a starting process listens for its peers before taking rigs. */
    SANDGLASS_INGEST_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
    /** HTTP port of a standalone ingest process (`GET /health`, `GET /metrics`); 0 = any free port. */
    SANDGLASS_INGEST_HTTP_PORT: port.default(3001),
    /** Memory of the embedded store's DuckDB buffer pool (MiB); beyond it DuckDB spills to disk. */
    SANDGLASS_STORE_MEMORY_MB: z.coerce.number().int().min(32).default(64),
    /** Derived states waiting for the store; while it is slow or down, the oldest are dropped (counted). */
    SANDGLASS_STATE_QUEUE_MAX: z.coerce.number().int().positive().default(20_000),
    /** Bound of the dead-letter files (refused messages and batches) under SANDGLASS_DATA_DIR (MiB). */
    SANDGLASS_DEAD_LETTER_MAX_MB: z.coerce.number().positive().default(64),
    /** Largest write-ahead log before ingest stops accepting (MiB). */
    SANDGLASS_WAL_MAX_MB: z.coerce.number().positive().default(1024),
    /**
     * API and socket.io authentication with bearer tokens: on unless explicitly `off` (local embedded use,
     * which then binds the API to 127.0.0.1 only).
     */
    SANDGLASS_AUTH: z.enum(['on', 'off']).default('on'),
    /** JSON file `{"tokens":[{"name","role","sha256"}]}` (tokens stored hashed; `sandglass token` makes entries). */
    SANDGLASS_AUTH_TOKENS_FILE: z.string().min(1).optional(),
    /** Origins allowed to call the API from another site (comma-separated); unset = same origin only. */
    SANDGLASS_CORS_ORIGINS: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').map((o) => o.trim()) : undefined)),
    /** Writes (POST/PUT/DELETE) allowed per client per minute. */
    SANDGLASS_WRITE_RATE_PER_MIN: z.coerce.number().int().positive().default(120),
    SANDGLASS_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    /** Each alert event POSTed there as JSON (ingest's durable outbox under SANDGLASS_DATA_DIR/notify). */
    SANDGLASS_NOTIFY_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    /** Key of the `x-sandglass-signature` HMAC-SHA256; required with SANDGLASS_NOTIFY_WEBHOOK_URL. */
    SANDGLASS_NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Slack-compatible incoming webhook (Mattermost, Rocket.Chat): text + blocks per alert state change. */
    SANDGLASS_NOTIFY_CHAT_URL: url(['http:', 'https:']).optional(),
    /** SMTP server for e-mail notifications, e.g. smtp://user:password@mail.lab:587 or smtps://… */
    SANDGLASS_NOTIFY_SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    SANDGLASS_NOTIFY_EMAIL_FROM: z.string().email().optional(),
    /** Comma-separated recipients. */
    SANDGLASS_NOTIFY_EMAIL_TO: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').map((a) => a.trim()) : undefined))
      .pipe(z.array(z.string().email()).min(1).optional()),
    /** First retry delay of a failed notification; doubled per attempt, with jitter. */
    SANDGLASS_NOTIFY_RETRY_MIN_MS: z.coerce.number().int().min(10).default(1000),
    /** Longest delay between two attempts. */
    SANDGLASS_NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).default(60_000),
    /** A notification not delivered this long after its alert event is given up (counted, kept visible). */
    SANDGLASS_NOTIFY_GIVE_UP_S: z.coerce
      .number()
      .positive()
      .default(6 * 3600),
    /** Time a receiver has to answer one POST. */
    SANDGLASS_NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    /** JSON routes file (docs/notifications.md): which channels get which alerts, rate limits, escalation. */
    SANDGLASS_NOTIFY_ROUTES_FILE: z.string().min(1).optional(),
    /**
     * Redis for socket.io's Redis adapter (several api instances behind one dashboard address): events
     * one instance emits to all clients reach the clients of the others. Unset = one api instance.
     */
    SANDGLASS_REDIS_URL: url(['redis:', 'rediss:']).optional(),
    /** Address of the dashboard as people reach it, for links in notifications (default http://localhost:{port}). */
    SANDGLASS_PUBLIC_URL: url(['http:', 'https:']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.SANDGLASS_NOTIFY_WEBHOOK_URL && !env.SANDGLASS_NOTIFY_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SANDGLASS_NOTIFY_WEBHOOK_SECRET'],
        message: 'required when SANDGLASS_NOTIFY_WEBHOOK_URL is set (receivers check the signature)',
      });
    }
    if (env.SANDGLASS_NOTIFY_SMTP_URL) {
      for (const name of ['SANDGLASS_NOTIFY_EMAIL_FROM', 'SANDGLASS_NOTIFY_EMAIL_TO'] as const) {
        if (!env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'required when SANDGLASS_NOTIFY_SMTP_URL is set',
          });
        }
      }
    }
    if (env.SANDGLASS_INGEST_PARTITION === 'hash') {
      if (!env.SANDGLASS_INGEST_RIGS?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['SANDGLASS_INGEST_RIGS'],
          message: 'required with SANDGLASS_INGEST_PARTITION=hash: the rigs the ingest processes share',
        });
      }
      if (!env.SANDGLASS_MQTT_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['SANDGLASS_MQTT_URL'],
          message: 'required with SANDGLASS_INGEST_PARTITION=hash: the processes meet at a shared broker',
        });
      }
    }
    if (env.SANDGLASS_NOTIFY_RETRY_MAX_MS < env.SANDGLASS_NOTIFY_RETRY_MIN_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SANDGLASS_NOTIFY_RETRY_MAX_MS'],
        message: 'must not be below SANDGLASS_NOTIFY_RETRY_MIN_MS',
      });
    }
  });
export type Environment = z.infer<typeof EnvironmentSchema>;

/** Thrown at start-up when an environment variable is invalid; the message names the variable. */
export class EnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvironmentError';
  }
}

/** Validates the environment; empty strings count as unset. */
export function parseEnvironment(env: Record<string, string | undefined> = process.env): Environment {
  const relevant: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('SANDGLASS_') && value !== undefined && value !== '') relevant[key] = value;
  }
  const result = EnvironmentSchema.safeParse(relevant);
  if (result.success) return result.data;
  throw new EnvironmentError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name}=${JSON.stringify(relevant[name] ?? '')}: ${issue.message}`;
    }),
  );
}
