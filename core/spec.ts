// RunSpec: the hand-written, versioned file format that describes one training run.
// Every field has a default so that `{ "target": "price" }` trains something reasonable;
// docs/runspec.md documents the format. The same schema validates the CLI, the HTTP
// server, Electron IPC and the run designer form, so a message names the same field everywhere.
import { z } from 'zod';

export const SPEC_VERSION = 1;

const columnName = z.string().min(1, 'column name must not be empty');

export const WindowSchema = z
  .object({
    lookback: z.number().int().min(1).max(10_000).default(24),
    horizon: z.number().int().min(1).max(1_000).default(1),
    stride: z.number().int().min(1).max(10_000).default(1),
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
    units: z.number().int().min(1).max(4096).default(64),
    dropout: z.number().min(0).lt(1).default(0),
  })
  .strict();

export const CELLS = ['simpleRNN', 'lstm', 'gru'] as const;
export type Cell = (typeof CELLS)[number];

export const HeadSchema = z
  .object({
    /** Hidden dense layers between the last RNN layer and the output layer. */
    layers: z.array(z.number().int().min(1).max(4096)).max(8).default([]),
    activation: z.enum(['relu', 'tanh', 'linear']).default('relu'),
  })
  .strict();

export const ModelSchema = z
  .object({
    cell: z.enum(CELLS).default('lstm'),
    layers: z.array(LayerSchema).min(1).max(8).default([{ units: 64, dropout: 0 }]),
    bidirectional: z.boolean().default(false),
    head: HeadSchema.default({ layers: [], activation: 'relu' }),
    /** `auto`: the fused kernels when the spec allows them, tf.layers otherwise. */
    impl: z.enum(['auto', 'fused', 'layers']).default('auto'),
  })
  .strict();

export const TrainSchema = z
  .object({
    epochs: z.number().int().min(1).max(10_000).default(50),
    batchSize: z.number().int().min(1).max(65_536).default(64),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
    learningRate: z.number().gt(0).max(10).default(0.001),
    loss: z.enum(['mse', 'mae', 'huber']).default('mse'),
    patience: z.number().int().min(0).max(10_000).default(10),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** Cap on training windows per epoch (0 = all); sampled evenly in time order. */
    maxBatchesPerEpoch: z.number().int().min(0).default(0),
  })
  .strict();

export const RunSpecSchema = z
  .object({
    version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
    task: z.enum(['forecast', 'classify']).default('forecast'),
    target: z
      .union([columnName, z.array(columnName).min(1)])
      .transform((t) => (Array.isArray(t) ? t : [t])),
    /** Input columns; default: the targets (forecast) or every numeric column (classify). */
    features: z.array(columnName).min(1).optional(),
    /** Time column; default: the dataset's time column. */
    time: columnName.optional(),
    /** Series-id column for long-format data; default: the dataset's series column. */
    series: columnName.nullable().optional(),
    window: WindowSchema.default({ lookback: 24, horizon: 1, stride: 1 }),
    split: SplitSchema.default({ train: 0.7, val: 0.15, test: 0.15 }),
    scaling: z.enum(['standard', 'minmax', 'none']).default('standard'),
    missing: z.enum(['error', 'drop', 'ffill', 'interpolate']).default('interpolate'),
    /** Season length for the seasonal-naive baseline and MASE; default: inferred from the data. */
    seasonLength: z.number().int().min(1).optional(),
    model: ModelSchema.default({
      cell: 'lstm',
      layers: [{ units: 64, dropout: 0 }],
      bidirectional: false,
      head: { layers: [], activation: 'relu' },
      impl: 'auto',
    }),
    train: TrainSchema.default({
      epochs: 50,
      batchSize: 64,
      optimizer: 'adam',
      learningRate: 0.001,
      loss: 'mse',
      patience: 10,
      seed: 42,
      maxBatchesPerEpoch: 0,
    }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.task === 'classify' && s.target.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'classify takes exactly one target column' });
    }
  });

/** What a user writes (every field optional but target). */
export type RunSpecInput = z.input<typeof RunSpecSchema>;
/** The spec with every default filled in, as stored on a run. */
export type RunSpec = z.output<typeof RunSpecSchema>;

export function parseSpec(input: unknown): RunSpec {
  return RunSpecSchema.parse(input);
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
