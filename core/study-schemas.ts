// Studies (issue 12, docs/studies.md): hyperparameter searches whose trials are ordinary runs.
// The search-space file format, the studies.* methods and their events, and run groups (mean ± std
// over seeds), kept beside the contract (core/contract.ts re-exports them and spreads the methods)
// so that file stays one screenful. Pure zod: the renderer may import it for types and schemas.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// The search space

/** A JSON value a categorical parameter may take (a number, a string, a list of layers, ...). */
const JsonValue: z.ZodType<unknown> = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.null(),
  z.array(z.any()),
  z.record(z.string(), z.any()),
]);

/** A real range; `log` samples log-uniformly (learning rates); `steps`: points per axis of a grid. */
export const FloatDomain = z
  .object({
    float: z.tuple([z.number(), z.number()]),
    log: z.boolean().default(false),
    steps: z.number().int().min(2).max(100).optional(),
  })
  .strict();
/** A whole-number range, both ends included; a grid takes every value unless `steps` is given. */
export const IntDomain = z
  .object({
    int: z.tuple([z.number().int(), z.number().int()]),
    log: z.boolean().default(false),
    steps: z.number().int().min(2).max(100).optional(),
  })
  .strict();
/** A list is categorical: one of its values. */
export const ChoiceDomain = z.array(JsonValue).min(1).max(1000);
export const ParamDomain = z.union([ChoiceDomain, FloatDomain, IntDomain]);
export type ParamDomain = z.infer<typeof ParamDomain>;

/**
 * RunSpec paths (`model.layers.0.units`, `train.learningRate`) → domains. Two study-only forms:
 * `model.layers.length` (how many RNN layers; new ones copy layer 0) and `model.layers.*.units`
 * (every layer alike).
 */
export const SearchSpace = z.record(z.string().min(1), ParamDomain);
export type SearchSpace = z.infer<typeof SearchSpace>;

export const STRATEGIES = ['grid', 'random', 'tpe'] as const;
export const Strategy = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof Strategy>;

/** ASHA: at epochs minEpochs·reduction^k a trial goes on only if it is in the best 1/reduction seen at that rung (on the objective when it is a per-epoch metric, else val_loss). */
export const PruneSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('asha'),
      minEpochs: z.number().int().min(1).max(10_000).default(1),
      reduction: z.number().int().min(2).max(100).default(3),
      /** Never prune the configurations tried first (`first`): they train until early stopping, and their values still count at every rung. */
      spareFirst: z.boolean().optional(),
    })
    .strict(),
]);
export type PruneSpec = z.infer<typeof PruneSpec>;

/** What the study minimises (or maximises): `val_loss` (default), any per-epoch metric's best, or a test metric (`test.mae`). */
export const Objective = z
  .object({ metric: z.string().min(1).default('val_loss'), direction: z.enum(['min', 'max']).optional() })
  .strict();
export type Objective = z.infer<typeof Objective>;

export const STUDY_LIMITS = { trials: 10_000, seeds: 100, concurrency: 64, budgetSeconds: 30 * 24 * 3600 } as const;

/** The study file (docs/studies.md); `datasetId` comes from the caller (CLI --dataset, the UI's choice). */
export const StudyFile = z
  .object({
    name: z.string().min(1).optional(),
    /** The RunSpec every trial starts from (what a user writes; `target` required unless the caller adds it). */
    base: z.record(z.string(), z.unknown()).default({}),
    space: SearchSpace,
    strategy: Strategy.default('random'),
    /** Configurations to try (× seeds = trials); grid: default the whole grid. */
    trials: z.number().int().min(1).max(STUDY_LIMITS.trials).optional(),
    /** Wall-clock budget: no trial starts after it, running ones are stopped (their best checkpoint counts). */
    budgetSeconds: z.number().positive().max(STUDY_LIMITS.budgetSeconds).optional(),
    /** Each configuration is trained with seeds base seed, +1, ... */
    seeds: z.number().int().min(1).max(STUDY_LIMITS.seeds).default(1),
    /** The sampler's seed: the same study file samples the same configurations. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** `"test.mae"` is short for `{ "metric": "test.mae" }`. */
    objective: z.union([z.string().min(1), Objective]).default('val_loss'),
    prune: PruneSpec.prefault({ kind: 'none' }),
    /** Trials trained at once; default: the cores over the kernels' threads (core/study/concurrency.ts). */
    concurrency: z.number().int().min(1).max(STUDY_LIMITS.concurrency).optional(),
    /** Configurations (space path → value) tried first, before the strategy's: a known good one, the defaults. */
    first: z.array(z.record(z.string(), z.unknown())).max(STUDY_LIMITS.trials).optional(),
  })
  .strict();
export type StudyFileInput = z.input<typeof StudyFile>;
export type StudyFileParsed = z.output<typeof StudyFile>;

// ---------------------------------------------------------------------------------------------
// Rows

export const STUDY_STATES = ['running', 'stopped', 'completed', 'interrupted'] as const;
export const StudyState = z.enum(STUDY_STATES);
export type StudyState = z.infer<typeof StudyState>;

// The run statuses (contract.ts's RunStatus; a value import of it would be a cycle).
const TRIAL_STATUSES = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted', 'pruned'] as const;

/**
 * The study fields of a run, spread into the contract's RunRow: the study the run is a trial of
 * (runs.study_id) and its trial number, null for a run outside any study. Optional, so rows made
 * before them still parse; trial runs keep their `study:<id>` tag too, for readers that use it.
 */
export const RunStudyFields = {
  studyId: z.number().int().nullable().optional(),
  /** 0-based trial number within the study. */
  trial: z.number().int().nullable().optional(),
};

export const TrialRow = z.object({
  /** 0-based; configuration `floor(trial / seeds)`, seed index `trial % seeds`. */
  trial: z.number().int(),
  runId: z.number().int(),
  status: z.enum(TRIAL_STATUSES),
  /** The sampled value per space path. */
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  /** Same configuration (whatever the seed) → same hash: the seeds of one configuration group by it. */
  configHash: z.string(),
  /** Highest ASHA rung passed (0-based; null: none reached yet or no pruning). */
  rung: z.number().int().nullable(),
  epochsDone: z.number().int(),
  /** The objective's value (null until the run has one). */
  value: z.number().nullable(),
  /** The run's best validation loss so far. */
  valLoss: z.number().nullable(),
  /** Test metrics of the best checkpoint (`test.mae`, `naive.mae`, `ets.mae`, ...). */
  test: z.record(z.string(), z.number()),
});
export type TrialRow = z.infer<typeof TrialRow>;

/** A trial tune backtested to pick its run (core/study/rerank.ts, docs/studies.md "How tune picks its run"). */
export const RerankCandidate = z.object({
  trial: z.number().int(),
  runId: z.number().int(),
  /** The study's objective (validation MAE for tune). */
  value: z.number(),
  backtestId: z.number().int().nullable(),
  /**
   * Mean test MAE over the backtest's completed folds (all before the test split); also for a
   * backtest stopped at the deadline after two folds or more (rerank.ts backtestOutcome); null: none judged it.
   */
  backtestMae: z.number().nullable(),
  folds: z.number().int(),
  /** Each completed fold's test MAE by its cutoff (rows cut from each series' end); absent in selections stored before it. */
  foldMaes: z.array(z.object({ cutoff: z.number().int(), mae: z.number() })).optional(),
  /**
   * Against the default (core/study/paired.ts): windows compared, the mean difference of absolute
   * errors and its Diebold–Mariano t (negative: this candidate is better). The default is the
   * default trial with ETS (its `combine: ets` entry) unless that entry's own t against the network
   * alone is ≥ PAIRED_Z. Absent for the default network, for candidates without a backtest, and in
   * selections stored before it.
   */
  paired: z.object({ windows: z.number().int(), diff: z.number(), t: z.number() }).optional(),
  /** Why it has no backtest MAE (refused, stopped at the deadline, not started), or why it is over fewer folds. */
  note: z.string().optional(),
  /**
   * `ets`: this option is the trial's forecast averaged with the ETS baseline of each of its folds
   * (spec combine: ets), scored on the same folds as the trial's own entry; absent: the network alone.
   */
  combine: z.literal('ets').optional(),
});
export type RerankCandidate = z.infer<typeof RerankCandidate>;

/** tune's pick: backtest (a challenger won), default (the default-config trial kept), validation (no backtest could judge). */
export const Selection = z.object({
  trial: z.number().int(),
  runId: z.number().int(),
  by: z.enum(['backtest', 'default', 'validation']),
  candidates: z.array(RerankCandidate),
  /**
   * `ets`: the pick is trial `trial`'s configuration averaged with its ETS baseline, and `runId` is
   * the run tune trained for it (the trial's spec and seed with combine: ets); absent: the trial's own run.
   */
  combine: z.literal('ets').optional(),
  /** With `combine`: the test metrics of `runId` (the trial's own are the network's alone). */
  test: z.record(z.string(), z.number()).optional(),
});
export type Selection = z.infer<typeof Selection>;

export const StudyRow = z.object({
  id: z.number().int(),
  uuid: z.string(),
  name: z.string(),
  datasetId: z.number().int().nullable(),
  state: StudyState,
  /** The study as stored (defaults filled in): base, space, strategy, budget, seeds, objective, prune. */
  file: StudyFile,
  objective: z.object({ metric: z.string(), direction: z.enum(['min', 'max']) }),
  concurrency: z.number().int(),
  /** Trials the study will run (configurations × seeds); null: only a time budget bounds it. */
  plannedTrials: z.number().int().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  /** Seconds the study has been running, over every host session. */
  elapsedSeconds: z.number(),
  error: z.string().nullable(),
  trials: z.array(TrialRow),
  /** The best trial by the objective (pruned trials excluded). */
  best: TrialRow.nullable(),
  /** tune's pick by a backtest before the test split, stored when its re-ranking ended; null: none (studies, tune by trials). */
  selection: Selection.nullable(),
  /** Trials per run status. */
  counts: z.record(z.string(), z.number().int()),
});
export type StudyRow = z.infer<typeof StudyRow>;

/** One group of runs with equal params (the seed left out by default): mean ± std, min, max per metric. */
export const MetricStat = z.object({
  mean: z.number(),
  std: z.number(),
  min: z.number(),
  max: z.number(),
  n: z.number().int(),
});
export type MetricStat = z.infer<typeof MetricStat>;
export const RunGroup = z.object({
  /** The grouping params' values (flattened spec keys → value). */
  key: z.record(z.string(), z.string()),
  runIds: z.array(z.number().int()),
  /** Best of each per-epoch metric (`val_loss`, ...) and every test metric (`test.mae`, ...). */
  metrics: z.record(z.string(), MetricStat),
});
export type RunGroup = z.infer<typeof RunGroup>;

const id = z.number().int().positive();

/** The studies.* methods (and runs.groups), spread into the contract's method list. */
export const studyMethods = {
  'studies.create': { args: StudyFile.extend({ datasetId: id }).strict(), result: StudyRow },
  'studies.list': { args: z.object({ datasetId: id.optional() }).strict(), result: z.array(StudyRow) },
  'studies.get': { args: z.object({ id }).strict(), result: StudyRow },
  /** Stops starting trials and stops the running ones (they save; resume continues them). */
  'studies.stop': { args: z.object({ id }).strict(), result: StudyRow },
  /** Continues a stopped or interrupted study: its unfinished trials resume, the missing ones start. */
  'studies.resume': { args: z.object({ id }).strict(), result: StudyRow },
  /** Groups runs by params: `by` (default: every param that differs but the seed), mean ± std of every metric. */
  'runs.groups': {
    args: z
      .object({
        ids: z.array(id).max(10_000).optional(),
        studyId: id.optional(),
        by: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    result: z.array(RunGroup),
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Events

export interface StudyStatusEvent {
  studyId: number;
  state: StudyState;
  error?: string | null;
}
export interface StudyProgress {
  studyId: number;
  state: StudyState;
  /** Trials ended (completed, pruned, failed) and planned (null: time budget only). */
  done: number;
  planned: number | null;
  running: number;
  pruned: number;
  best: { trial: number; runId: number; value: number } | null;
  elapsedSeconds: number;
  /** The trial whose change caused this event. */
  trial?: {
    trial: number;
    runId: number;
    status: z.infer<typeof TrialRow>['status'];
    value: number | null;
    rung: number | null;
  };
}
export interface StudyEventMap {
  'study:status': StudyStatusEvent;
  'study:progress': StudyProgress;
}
export const STUDY_EVENT_NAMES = ['study:status', 'study:progress'] as const;
