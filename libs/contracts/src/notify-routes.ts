import { z } from 'zod';
import { AlertKindSchema, SeveritySchema } from './alert.js';
import { ID_PATTERN } from './topics.js';

/** The notification channels a route can use (each configured by its SANDGLASS_NOTIFY_* variables). */
export const NotifyChannelNameSchema = z.enum(['webhook', 'chat', 'email']);
export type NotifyChannelName = z.infer<typeof NotifyChannelNameSchema>;

const id = z.string().regex(ID_PATTERN);

/** Which alerts a route takes: every given field must match (none given = every alert). */
export const RouteMatchSchema = z
  .object({
    rigId: z.array(id).min(1).optional(),
    cellId: z.array(id).min(1).optional(),
    kind: z.array(AlertKindSchema).min(1).optional(),
    /** `critical` takes critical alerts only; `warning` (the same as leaving it out) takes both. */
    minSeverity: SeveritySchema.optional(),
  })
  .strict();
export type RouteMatch = z.infer<typeof RouteMatchSchema>;

export const NotifyRouteSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)'),
    match: RouteMatchSchema.default({}),
    channels: z.array(NotifyChannelNameSchema).min(1),
    /** Taken only as the `escalate.to` of another route, never by matching. */
    escalationOnly: z.boolean().default(false),
    /** At most `max` notifications per `per_s` seconds on this route; the rest are dropped and counted. */
    rateLimit: z
      .object({ max: z.number().int().positive().max(10_000), per_s: z.number().positive().max(86_400) })
      .strict()
      .optional(),
    /**
     * Chat and e-mail: the state changes of one rig within `group_s` of the first become one message
     * (sent when the window ends). The webhook always gets one POST per state change.
     */
    group_s: z.number().positive().max(3600).optional(),
    /** A critical alert of this route not acknowledged (or cleared) within `after_min` goes to route `to`. */
    escalate: z
      .object({
        after_min: z
          .number()
          .positive()
          .max(7 * 24 * 60),
        to: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();
export type NotifyRoute = z.infer<typeof NotifyRouteSchema>;

/**
 * The routes file (SANDGLASS_NOTIFY_ROUTES_FILE): each alert state change goes to the channels of every
 * route that matches it. Without the file, one route takes every alert to every configured channel.
 */
export const NotifyRoutesFileSchema = z
  .object({ routes: z.array(NotifyRouteSchema).min(1) })
  .strict()
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    file.routes.forEach((route, k) => {
      if (names.has(route.name))
        ctx.addIssue({ code: 'custom', path: ['routes', k, 'name'], message: `${route.name} given twice` });
      names.add(route.name);
    });
    file.routes.forEach((route, k) => {
      const to = route.escalate?.to;
      if (to === undefined) return;
      if (!names.has(to) || to === route.name)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', k, 'escalate', 'to'],
          message: `${to} is not another route of this file`,
        });
    });
  });
export type NotifyRoutesFile = z.infer<typeof NotifyRoutesFileSchema>;
