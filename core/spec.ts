// RunSpec: the hand-written, versioned file format that describes one training run.
// Every field has a default so that `{ "target": "price" }` trains something reasonable;
// docs/runspec.md documents the format. The same schema validates the CLI, the HTTP
// server, Electron IPC and the run designer form, so a message names the same field everywhere.
import { z } from 'zod';

export const SPEC_VERSION = 1;

// The value lists of a RunSpec, exported once: the schema, the renderer's form type and its option
// lists, the kernels and the docs all read them from here.
export const TASKS = ['forecast', 'classify'] as const;
export const CELLS = ['simpleRNN', 'lstm', 'gru'] as const;
export const IMPLS = ['auto', 'fused', 'layers'] as const;
export const HEAD_ACTIVATIONS = ['relu', 'tanh', 'linear'] as const;
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export const LOSSES = ['mse', 'mae', 'huber'] as const;
export const SCALINGS = ['standard', 'minmax', 'none'] as const;
export const MISSING_POLICIES = ['error', 'drop', 'ffill', 'interpolate'] as const;
/** Target transforms (worker/data/transforms.ts); `auto` decides per target from the train split. */
export const TRANSFORMS = ['auto', 'none', 'log', 'diff', 'logdiff'] as const;
/**
 * Target normalisation: the global scaler alone, each window relative to its last value, or (`season`)
 * each output step relative to the last value plus the change over the season before it (seasonal
 * naive at the current level; needs a season shorter than the lookback); `ensemble`: two networks,
 * one with global scaling and one with window (or, with a season in the lookback, season)
 * normalisation, whose forecasts are averaged (a single target that is also a feature); `auto`
 * decides per target (and chooses `ensemble` where the data cannot tell the two apart).
 */
export const NORMALIZE_MODES = ['auto', 'global', 'window', 'season', 'ensemble'] as const;
/** spec.combine: the network alone, or averaged with the run's ETS baseline. */
export const COMBINE_MODES = ['none', 'ets'] as const;
/**
 * Forecast: `auto` shrinks the network's forecast toward its normalisation's base (last value or
 * seasonal naive at the level) by factors fitted on the validation split; `off` keeps it as it is.
 */
export const SHRINK_MODES = ['auto', 'off'] as const;

const GATES: Record<(typeof CELLS)[number], number> = { simpleRNN: 1, lstm: 4, gru: 3 };

/** Gates per cell: the G in [F, G·H]. The one copy: parameter counts, CPU and GPU kernels. */
export function gateCount(cell: (typeof CELLS)[number]): number {
  return GATES[cell];
}

export type Task = (typeof TASKS)[number];
export type Cell = (typeof CELLS)[number];
export type Impl = (typeof IMPLS)[number];
export type HeadActivation = (typeof HEAD_ACTIVATIONS)[number];
export type Optimizer = (typeof OPTIMIZERS)[number];
export type Loss = (typeof LOSSES)[number];
export type Scaling = (typeof SCALINGS)[number];
export type MissingPolicy = (typeof MISSING_POLICIES)[number];
export type TransformChoice = (typeof TRANSFORMS)[number];
export type NormalizeChoice = (typeof NORMALIZE_MODES)[number];

/** Numeric limits of the spec's fields (inclusive unless the name says otherwise). */
export const LIMITS = {
  lookback: { min: 1, max: 10_000 },
  horizon: { min: 1, max: 1_000 },
  stride: { min: 1, max: 10_000 },
  units: { min: 1, max: 4096 },
  layers: { min: 1, max: 8 },
  headLayers: { max: 8 },
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 65_536 },
  learningRateMax: 10,
  patience: { min: 0, max: 10_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  folds: { min: 1, max: 50 },
} as const;

const columnName = z.string().min(1, 'column name must not be empty');

export const WindowSchema = z
  .object({
    /** Rows per input window, or `auto`: from the season and the train split's size when the run starts (core/spec-rules.ts autoLookback). */
    lookback: z
      .union([z.number().int().min(LIMITS.lookback.min).max(LIMITS.lookback.max), z.literal('auto')])
      .default('auto'),
    horizon: z.number().int().min(LIMITS.horizon.min).max(LIMITS.horizon.max).default(1),
    stride: z.number().int().min(LIMITS.stride.min).max(LIMITS.stride.max).default(1),
  })
  .strict();

export const SplitSchema = z
  .object({
    train: z.number().gt(0).lt(1).default(0.7),
    val: z.number().gt(0).lt(1).default(0.15),
    test: z.number().gt(0).lt(1).default(0.15),
  })
  .strict()
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, {
    message: 'split fractions train + val + test must add up to 1',
  });

export const LayerSchema = z
  .object({
    units: z.number().int().min(LIMITS.units.min).max(LIMITS.units.max).default(64),
    dropout: z.number().min(0).lt(1).default(0),
  })
  .strict();

export const HeadSchema = z
  .object({
    /** Hidden dense layers between the last RNN layer and the output layer. */
    layers: z
      .array(z.number().int().min(LIMITS.units.min).max(LIMITS.units.max))
      .max(LIMITS.headLayers.max)
      .default([]),
    activation: z.enum(HEAD_ACTIVATIONS).default('relu'),
  })
  .strict();

export const ModelSchema = z
  .object({
    // gru, batch 32, learning rate 0.003: measured on the 40-series forecast battery (docs/benchmarks.md).
    cell: z.enum(CELLS).default('gru'),
    layers: z
      .array(LayerSchema)
      .min(LIMITS.layers.min)
      .max(LIMITS.layers.max)
      .default([{ units: 64, dropout: 0 }]),
    bidirectional: z.boolean().default(false),
    head: HeadSchema.prefault({}),
    /** `auto`: the fused kernels when the spec allows them, tf.layers otherwise. */
    impl: z.enum(IMPLS).default('auto'),
  })
  .strict();

export const TrainSchema = z
  .object({
    epochs: z.number().int().min(LIMITS.epochs.min).max(LIMITS.epochs.max).default(50),
    batchSize: z.number().int().min(LIMITS.batchSize.min).max(LIMITS.batchSize.max).default(32),
    optimizer: z.enum(OPTIMIZERS).default('adam'),
    learningRate: z.number().gt(0).max(LIMITS.learningRateMax).default(0.003),
    loss: z.enum(LOSSES).default('mse'),
    patience: z.number().int().min(LIMITS.patience.min).max(LIMITS.patience.max).default(10),
    seed: z.number().int().min(LIMITS.seed.min).max(LIMITS.seed.max).default(42),
    /** Cap on training windows per epoch (0 = all); sampled evenly in time order. */
    maxBatchesPerEpoch: z.number().int().min(0).default(0),
  })
  .strict();

/** Rolling-origin backtest (core/backtest.ts): fold i's test split ends step·(folds−1−i) rows before each series' end. */
export const BacktestSchema = z
  .object({
    folds: z.number().int().min(LIMITS.folds.min).max(LIMITS.folds.max).default(3),
    /** Rows between folds' origins; default: the test split's rows of the shortest series. */
    step: z.number().int().min(1).optional(),
    /** Fold i > 0 starts from fold i−1's best checkpoint instead of fresh weights. */
    warmStart: z.boolean().default(false),
    /**
     * Every fold is also cut by the test rows of the longest series (kept in the stored spec's
     * `cutoff`), so no fold reads the plain run's test split: tune's re-ranking (docs/studies.md).
     */
    beforeTest: z.boolean().optional(),
    /**
     * `naive`: the folds' test evaluation keeps the naive and seasonal-naive baselines and skips
     * the ETS fit (about 1.3 s a fold), for backtests that compare only the model's MAE (tune's
     * re-ranking); default `all`.
     */
    baselines: z.enum(['all', 'naive']).optional(),
  })
  .strict();

export const RunSpecSchema = z
  .object({
    version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
    task: z.enum(TASKS).default('forecast'),
    target: z.union([columnName, z.array(columnName).min(1)]).transform((t) => (Array.isArray(t) ? t : [t])),
    /** Input columns; default: the targets (forecast) or every numeric column (classify). */
    features: z.array(columnName).min(1).optional(),
    /** Time column; default: the dataset's time column. */
    time: columnName.optional(),
    /** Series-id column for long-format data; default: the dataset's series column. */
    series: columnName.nullable().optional(),
    window: WindowSchema.prefault({}),
    split: SplitSchema.prefault({}),
    scaling: z.enum(SCALINGS).default('standard'),
    missing: z.enum(MISSING_POLICIES).default('interpolate'),
    /** Forecast targets: a transform undone exactly at evaluation and export; `auto` picks per target. */
    transform: z.enum(TRANSFORMS).default('auto'),
    /** Forecast targets: `window` expresses each window relative to its last observed value; `season` each output step relative to the last value plus last season's change. */
    normalize: z.enum(NORMALIZE_MODES).default('auto'),
    /** Forecast: shrink the forecast toward the base by factors fitted on the validation split (worker/data/shrink.ts). */
    shrink: z.enum(SHRINK_MODES).default('auto'),
    /** Forecast `window`/`season` targets: a linear correction of the reference fitted on the train windows, kept where validation says it helps (worker/data/linear-reference.ts). */
    linearReference: z.enum(['auto', 'off']).default('auto'),
    /** Season length for the seasonal-naive baseline and MASE; default: inferred from the data. */
    seasonLength: z.number().int().min(1).optional(),
    model: ModelSchema.prefault({}),
    train: TrainSchema.prefault({}),
    /** `rnn-workbench backtest` reads it; a plain run ignores it. */
    backtest: BacktestSchema.optional(),
    /** Set on backtest folds: rows dropped from the end of every series before it is split. */
    cutoff: z.number().int().min(0).optional(),
    /** Set on warm-started backtest folds: the run whose best checkpoint gives the initial weights. */
    initFrom: z.number().int().positive().optional(),
    /**
     * Set on tune's re-ranking backtest folds with `trialShrink` (core/study/rerank.ts; off by
     * default): the test forecast takes this run's shrinkage factors
     * (its best checkpoint's, and each ensemble member's) instead of fitting them on the fold's own
     * few validation windows, so that the fold judges the network blended as that run forecasts.
     */
    shrinkFrom: z.number().int().positive().optional(),
    /**
     * Forecast: `ets` makes the run's forecast the equal-weight mean of the network's and the run's
     * ETS baseline's (fitted on the rows before the forecast origin, worker/train/ets-baseline.ts)
     * wherever ETS fits; `none`, the network alone. tune weighs both forms (docs/studies.md).
     */
    combine: z.enum(COMBINE_MODES).default('none'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.task === 'classify' && s.target.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'classify takes exactly one target column' });
    }
    if (s.task === 'classify' && s.combine !== 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['combine'],
        message: 'combine averages forecasts; a classifier has none (use combine: none)',
      });
    }
  });

/** What a user writes (every field optional but target). */
export type RunSpecInput = z.input<typeof RunSpecSchema>;
/** The spec with every default filled in, as stored on a run. */
export type RunSpec = z.output<typeof RunSpecSchema>;

export function parseSpec(input: unknown): RunSpec {
  return RunSpecSchema.parse(input);
}

/**
 * A run's spec as stored in SQLite, for training it: specs are stored parsed (every default
 * filled), so one without `linearReference` was stored by a version before that field and trained
 * without the correction; a resume keeps it so instead of moving the reference under its weights.
 */
export function parseStoredSpec(json: string): RunSpec {
  const stored = JSON.parse(json) as Record<string, unknown>;
  return RunSpecSchema.parse('linearReference' in stored ? stored : { ...stored, linearReference: 'off' });
}

/** A spec whose lookback is a number: what the trainer works with once `auto` is resolved (core/spec-rules.ts sizeSpec). */
export type SizedSpec = RunSpec & { window: RunSpec['window'] & { lookback: number } };

/** The spec a user gets by naming only a target: every default of the schema filled in. */
export function defaultSpec(target: string | string[]): RunSpec {
  return RunSpecSchema.parse({ target });
}

/** Flattens a spec into dotted keys (`model.layers.0.units`) for the params table and diffs. */
export function flattenSpec(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = String(value);
  } else if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out[prefix] = '[]';
    value.forEach((v, i) => flattenSpec(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flattenSpec(v, prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) {
    out[prefix] = String(value);
  }
  return out;
}

/**
 * Applies `--set key=value` overrides over a spec object. Dotted paths walk objects and array
 * indices (`model.layers.0.units=32`); values parse as JSON when they can (numbers, booleans,
 * arrays) and stay strings otherwise.
 */
export function setSpecPath(spec: Record<string, unknown>, assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects key=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  let node: Record<string, unknown> | unknown[] = spec;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    const container = node as Record<string, unknown>;
    let child = container[key];
    if (child === undefined || child === null || typeof child !== 'object') {
      child = nextIsIndex ? [] : {};
      container[key] = child;
    }
    node = child as Record<string, unknown>;
  }
  (node as Record<string, unknown>)[path[path.length - 1]!] = value;
  return spec;
}
