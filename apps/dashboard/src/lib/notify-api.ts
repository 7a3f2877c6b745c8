import { z } from 'zod';
import { NotifyRouteSchema, SilenceSchema, type Silence, type SilenceBody } from '#contracts';
import { request, type ApiResult } from './api.js';

/** A notification as `GET /api/alerts/{id}/notifications` and `/api/notify/outbox` show it. */
export const NotificationSchema = z.object({
  channel: z.string(),
  key: z.string(),
  alertId: z.string(),
  state: z.string(),
  createdAt: z.number(),
  attempts: z.number(),
  nextAttemptAt: z.number().optional(),
  deliveredAt: z.number().optional(),
  silencedBy: z.string().optional(),
  route: z.string().optional(),
  escalation: z.boolean().optional(),
  dueAt: z.number().optional(),
  groupOf: z.array(z.string()).optional(),
  history: z.array(
    z.object({
      at: z.number(),
      ok: z.boolean(),
      status: z.number().optional(),
      error: z.string().optional(),
    }),
  ),
});
export type Notification = z.infer<typeof NotificationSchema>;

const OutboxSchema = z.object({
  channels: z.array(z.string()),
  pending: z.number(),
  givenUp: z.number(),
  notifications: z.array(NotificationSchema),
});
// Without a configured channel the api shows its default route with no channels: valid as an answer,
// though a routes file could not say it.
export const RoutesSchema = z.object({
  channels: z.array(z.string()),
  routes: z.array(NotifyRouteSchema.extend({ channels: z.array(z.string()) })),
});
const TestSendSchema = z.object({
  route: z.string(),
  results: z.array(
    z.object({
      channel: z.string(),
      ok: z.boolean(),
      status: z.number().optional(),
      error: z.string().optional(),
    }),
  ),
});
export type TestSend = z.infer<typeof TestSendSchema>;

/** REST of the notifications (served by the process that runs ingest: `npm start`). */
export const notifyApi = {
  history: (alertId: string): Promise<ApiResult<Notification[]>> =>
    request('GET', `/api/alerts/${encodeURIComponent(alertId)}/notifications`, z.array(NotificationSchema)),
  outbox: (): Promise<ApiResult<z.infer<typeof OutboxSchema>>> =>
    request('GET', '/api/notify/outbox', OutboxSchema),
  routes: (): Promise<ApiResult<z.infer<typeof RoutesSchema>>> =>
    request('GET', '/api/notify/routes', RoutesSchema),
  testSend: (route: string): Promise<ApiResult<TestSend>> =>
    request('POST', `/api/notify/routes/${encodeURIComponent(route)}/test`, TestSendSchema),
  silences: (): Promise<ApiResult<Silence[]>> => request('GET', '/api/silences', z.array(SilenceSchema)),
  addSilence: (body: SilenceBody): Promise<ApiResult<Silence>> =>
    request('POST', '/api/silences', SilenceSchema, body),
  removeSilence: (id: string): Promise<ApiResult<unknown>> =>
    request('DELETE', `/api/silences/${encodeURIComponent(id)}`, z.unknown()),
};

/** The last attempt of a notification in words: "HTTP 503", "ECONNREFUSED", "delivered". */
export function lastResult(n: Notification): string {
  const last = n.history.at(-1);
  if (!last) return '—';
  if (last.ok) return last.status !== undefined ? `delivered (${last.status})` : 'delivered';
  return last.status !== undefined ? `HTTP ${last.status}` : (last.error ?? 'failed');
}
