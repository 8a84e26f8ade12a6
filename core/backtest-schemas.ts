// The result of the backtests.* methods (docs/runspec.md, "Rolling-origin backtests"), kept beside
// the contract (core/contract.ts re-exports it) so that file stays one screenful of methods.
import { z } from 'zod';
import type { RunStatus } from './contract.js';
import { LIMITS, RunSpecSchema } from './spec.js';

// The run statuses a fold can have (contract.ts's RunStatus; a value import of it would be a cycle).
const FOLD_STATUSES = [
  'pruned',
  'queued',
  'running',
  'completed',
  'failed',
  'stopped',
  'interrupted',
] as const satisfies readonly RunStatus[];

export const BacktestStatus = z.enum(['running', 'completed', 'stopped', 'failed', 'interrupted']);
export const FoldStat = z.object({ mean: z.number(), std: z.number(), n: z.number().int() });

/** A rolling-origin backtest: its folds are ordinary runs; `summary` is mean ± std over its completed folds' test metrics. */
export const BacktestRow = z.object({
  id: z.number().int(),
  name: z.string(),
  datasetId: z.number().int().nullable(),
  spec: RunSpecSchema,
  folds: z.number().int(),
  step: z.number().int(),
  warmStart: z.boolean(),
  status: BacktestStatus,
  createdAt: z.string(),
  /** Every planned fold; runId and status are null until the fold starts. */
  foldRuns: z.array(
    z.object({
      fold: z.number().int(),
      /** Rows cut from the end of every series: fold i's test split ends there. */
      cutoff: z.number().int(),
      runId: z.number().int().nullable(),
      status: z.enum(FOLD_STATUSES).nullable(),
      test: z.record(z.string(), z.number()),
    }),
  ),
  summary: z.record(z.string(), FoldStat),
});
export type BacktestRow = z.infer<typeof BacktestRow>;

const id = z.number().int().positive();

/** The backtests.* methods, spread into the contract's method list. */
export const backtestMethods = {
  'backtests.create': {
    // folds, step, warmStart, beforeTest, baselines: override the spec's `backtest` fields.
    args: z
      .object({
        datasetId: id,
        spec: z.unknown().pipe(RunSpecSchema),
        name: z.string().min(1).optional(),
        folds: z.number().int().min(LIMITS.folds.min).max(LIMITS.folds.max).optional(),
        step: z.number().int().min(1).optional(),
        warmStart: z.boolean().optional(),
        /** Folds end before the spec's test split (the spec's `backtest.beforeTest`). */
        beforeTest: z.boolean().optional(),
        /** `naive`: folds skip the ETS baseline (the spec's `backtest.baselines`). */
        baselines: z.enum(['all', 'naive']).optional(),
      })
      .strict(),
    result: BacktestRow,
  },
  'backtests.list': { args: z.object({}).strict(), result: z.array(BacktestRow) },
  'backtests.get': { args: z.object({ id }).strict(), result: BacktestRow },
  'backtests.stop': { args: z.object({ id }).strict(), result: BacktestRow },
  'backtests.resume': { args: z.object({ id }).strict(), result: BacktestRow },
} as const;
