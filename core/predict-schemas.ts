// Arguments and result of runs.predict (issue 13, docs/export.md "Forecasting with predict"),
// kept beside the contract (core/contract.ts re-exports them) so that file stays short.
import { z } from 'zod';

export const PredictArgs = z
  .object({
    id: z.number().int().positive(),
    /** Steps after the end of the data (default: the run's horizon); more than the horizon forecasts recursively. */
    steps: z.number().int().min(1).max(10_000).optional(),
    /** A new CSV with the dataset's columns: every window of it is forecast instead. */
    csvPath: z.string().min(1).optional(),
    checkpoint: z.enum(['best', 'last']).default('best'),
  })
  .strict();

export const PredictRow = z.object({
  /** The series id ('' for a single series). */
  series: z.string(),
  /** ISO time for a datetime time column, else the number (time value or row index). */
  time: z.union([z.string(), z.number()]),
  /** 1 … steps after `origin`. */
  step: z.number().int(),
  target: z.string(),
  value: z.number(),
  /** The time of the window's last row the forecast starts from. */
  origin: z.union([z.string(), z.number()]),
});
export type PredictRow = z.infer<typeof PredictRow>;

export const PredictResult = z.object({
  /** The forecast targets. */
  outputs: z.array(z.string()),
  /** How the time stamps continue (e.g. "monthly timestamps (100% of steps regular)" or "median step 1"). */
  frequency: z.string(),
  rows: z.array(PredictRow),
});
export type PredictResult = z.infer<typeof PredictResult>;
