// runs.log (issue 14 bug 7): a run's persisted log (run_log, migration 009), kept beside the
// contract (core/contract.ts spreads it into its methods) so that file stays within its size.
import { z } from 'zod';

export const RunLogLine = z.object({
  runId: z.number().int(),
  /** The line's place in the run's log (1, 2, ...); live `run:log` events carry it too. */
  seq: z.number().int(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  time: z.number(),
});
export type RunLogLine = z.infer<typeof RunLogLine>;

/** The `run:log` event: a live line; `seq` (its place in runs.log) on the lines the trainer persisted. */
export interface RunLog {
  runId: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  time: number;
  seq?: number;
}

export const runLogMethods = {
  // The run's log as stored (a reload shows all of it); afterSeq: only the lines after that one.
  'runs.log': {
    args: z.object({ id: z.number().int().positive(), afterSeq: z.number().int().nonnegative().optional() }).strict(),
    result: z.array(RunLogLine),
  },
} as const;
