import { z } from 'zod';
import { ID_PATTERN } from './topics.js';

const id = z.string().regex(ID_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ . -');
const time = z.union([z.coerce.number(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

/**
 * One cycle of a cell, as `GET /api/cells/{rigId}/{cellId}/cycles` returns it, ingest publishes it on
 * `…/cycles` and the socket.io `cycle` event carries it. DESIGN.md fixes `cycle`, `start`, `end` (epoch
 * ms of data time), `chargeCapacity_mAh`, `dischargeCapacity_mAh`, `coulombicEfficiency` (a fraction:
 * discharge / charge capacity), `chargeEnergy_mWh`, `dischargeEnergy_mWh` and `meanPolarization_V`
 * (mean |V| for symmetric cells, mean charge V − mean discharge V otherwise); the rest are additions.
 */
export const CycleSummarySchema = z.object({
  rigId: id,
  cellId: id,
  cycle: z.number().int().min(0),
  start: z.number(),
  end: z.number(),
  chargeCapacity_mAh: z.number().min(0),
  dischargeCapacity_mAh: z.number().min(0),
  coulombicEfficiency: z.number().nullable(),
  chargeEnergy_mWh: z.number(),
  dischargeEnergy_mWh: z.number(),
  meanPolarization_V: z.number().nullable(),
  meanChargeVoltage_V: z.number().nullable(),
  meanDischargeVoltage_V: z.number().nullable(),
  duration_s: z.number().min(0),
  chargeDuration_s: z.number().min(0),
  dischargeDuration_s: z.number().min(0),
  samples: z.number().int().min(0),
  /** Both an active charge and an active discharge were seen. */
  complete: z.boolean(),
  /** `cycler`: closed by the cycler's own cycle index on the samples; `segmented`: by Sandglass. */
  source: z.enum(['cycler', 'segmented']),
});
export type CycleSummary = z.infer<typeof CycleSummarySchema>;

export const EXPORT_FORMATS = ['csv', 'parquet'] as const;
export const EXPORT_TABLES = ['samples', 'cycles'] as const;

/** `GET /api/cells/{rigId}/{cellId}/export?format=csv|parquet&from=&to=&table=samples|cycles` */
export const ExportQuerySchema = z
  .object({
    format: z.enum(EXPORT_FORMATS).default('csv'),
    table: z.enum(EXPORT_TABLES).default('samples'),
    from: time.optional(),
    to: time.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type ExportQuery = z.infer<typeof ExportQuerySchema>;
