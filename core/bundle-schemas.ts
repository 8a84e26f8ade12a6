// The results of runs.bundle and runs.importBundle (issue 13, docs/bundles.md), kept beside the
// contract (core/contract.ts re-exports them) so that file stays one screenful of methods.
import { z } from 'zod';

/** A run as a bundle import reports it: its uuid and its id in this database. */
export const BundledRun = z.object({ uuid: z.string(), id: z.number().int(), name: z.string() });
export const BundleResult = z.object({
  path: z.string(),
  bytes: z.number().int(),
  runs: z.number().int(),
  datasets: z.number().int(),
  withData: z.boolean(),
});
export type BundleResult = z.infer<typeof BundleResult>;
export const ImportBundleResult = z.object({
  file: z.string(),
  added: z.array(BundledRun),
  /** Runs already here (same uuid) of which the bundle held more epochs: their results replaced. */
  updated: z.array(BundledRun),
  /** Runs already here with as many epochs or more: left unchanged. */
  skipped: z.array(BundledRun.extend({ reason: z.string() })),
  datasetsAdded: z.number().int(),
  datasetsReused: z.number().int(),
});
export type ImportBundleResult = z.infer<typeof ImportBundleResult>;
