// The one typed contract between every UI (renderer, CLI) and the service. Each method has a zod
// schema for its arguments and its result; hosts validate arguments at the boundary with
// `parseArgs` and answer with the `Result` envelope, never a thrown error (Electron IPC only
// serialises `message`). The renderer imports this file for types and schemas only.
import { z } from 'zod';
import { BundleResult, ImportBundleResult } from './bundle-schemas.js';
import { PredictArgs, PredictResult } from './predict-schemas.js';
import { DatasetImportArgs, DatasetRows, DatasetRowsArgs, DatasetSource } from './dataset-schemas.js';
import { backtestMethods } from './backtest-schemas.js';
import { runLogMethods } from './run-log-schemas.js';
import { RunStudyFields, STUDY_EVENT_NAMES, studyMethods, type StudyEventMap } from './study-schemas.js';
import { RunSpecSchema } from './spec.js';
import { describeZodError, type Result } from './envelope.js';

export * from './spec.js';
export * from './bundle-schemas.js';
export * from './predict-schemas.js';
export * from './envelope.js';
export * from './study-schemas.js';
export * from './dataset-schemas.js';

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const ColumnKind = z.enum(['numeric', 'datetime', 'categorical']);
export type ColumnKind = z.infer<typeof ColumnKind>;

export const ColumnStats = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  /** Distinct values (categorical columns) or null. */
  distinct: z.number().nullable(),
  /** Up to 20 most frequent labels of a categorical column. */
  top: z.array(z.object({ value: z.string(), count: z.number() })).optional(),
  /** Datetime format that parsed this column, e.g. `YYYY-MM-DD`. */
  format: z.string().optional(),
});
export type ColumnStats = z.infer<typeof ColumnStats>;

export const ColumnSummary = z.object({
  index: z.number().int(),
  name: z.string(),
  kind: ColumnKind,
  missing: z.number().int(),
  stats: ColumnStats,
});
export type ColumnSummary = z.infer<typeof ColumnSummary>;

export const DatasetSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  sourceName: z.string(),
  sha256: z.string(),
  importedAt: z.string(),
  rowCount: z.number().int(),
  timeColumn: z.string().nullable(),
  seriesColumn: z.string().nullable(),
  notes: z.string(),
  columns: z.array(ColumnSummary),
  /** Warnings found at import: unsorted time, duplicate timestamps, ... */
  warnings: z.array(z.string()),
  source: DatasetSource,
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const RunStatus = z.enum(['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted', 'pruned']);
export type RunStatus = z.infer<typeof RunStatus>;

export const MetricSummary = z.object({
  key: z.string(),
  last: z.number(),
  best: z.number(),
  bestEpoch: z.number().int(),
  min: z.number(),
  max: z.number(),
});
export type MetricSummary = z.infer<typeof MetricSummary>;

export const RunRow = z.object({
  id: z.number().int(),
  name: z.string(),
  datasetId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  status: RunStatus,
  spec: RunSpecSchema,
  seed: z.number().int(),
  backend: z.string().nullable(),
  device: z.string().nullable(),
  /** Which implementation trained the RNN layers: `fused-wasm`, `tf.layers`, ... */
  impl: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
  parentId: z.number().int().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  paramCount: z.number().int().nullable(),
  epochsDone: z.number().int(),
  summary: z.array(MetricSummary),
  /** Test-split evaluation of the best checkpoint: `test.rmse`, `naive.mase`, `test.accuracy`, ... */
  test: z.record(z.string(), z.number()),
  /** Why a queued run has not started: "waiting: 1 of 1 trainer slots busy (run 7)"; null otherwise. */
  waitReason: z.string().nullable(),
  /** Forecast: how the season behind seasonal naive and MASE was found (absent before the test evaluation). */
  seasonHow: z.string().nullable().optional(),
  /** Notes of the test evaluation, e.g. the ETS variant fitted per target. */
  testNotes: z.array(z.string()).optional(),
  ...RunStudyFields,
});
export type RunRow = z.infer<typeof RunRow>;

/** Per-database settings, shared by the desktop app, browser mode and the CLI. */
export const Settings = z.object({
  /** Trainers that may run at once on this database; more runs wait in a queue. */
  maxTrainers: z.number().int().min(1),
  /** What maxTrainers is when not set: one trainer per two cores of this machine. */
  defaultMaxTrainers: z.number().int().min(1),
  /** Whether maxTrainers was set (false: the default applies). */
  maxTrainersSet: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;
export const MAX_TRAINERS_LIMIT = 64;

export const MetricPoint = z.object({
  runId: z.number().int(),
  key: z.string(),
  epoch: z.number().int(),
  step: z.number().int(),
  value: z.number(),
  wallTime: z.number(),
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const Predictions = z.object({
  runId: z.number().int(),
  split: z.string(),
  /** Per target and horizon step: `price@1`, ... */
  outputs: z.array(z.string()),
  /** Flattened [n, outputs] in original units. */
  actual: z.array(z.number()),
  predicted: z.array(z.number()),
  naive: z.array(z.number()).optional(),
  seasonalNaive: z.array(z.number()).optional(),
  /** ETS baseline forecasts (NaN where no ETS variant could be fitted). */
  ets: z.array(z.number()).optional(),
  /** Time value (ms since epoch, or row index) of each prediction's first target step. */
  time: z.array(z.number()),
  /** Each window's series (datasets of several series): windows of different series share times. */
  series: z.array(z.string()).optional(),
  classes: z.array(z.string()).optional(),
});
export type Predictions = z.infer<typeof Predictions>;

export const ExportResult = z.object({
  dir: z.string(),
  files: z.array(z.string()),
  checkpoint: z.enum(['best', 'last']),
  epoch: z.number().int(),
});
export type ExportResult = z.infer<typeof ExportResult>;

export const Estimate = z.object({
  paramCount: z.number().int(),
  windows: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  rows: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  features: z.array(z.string()),
  targets: z.array(z.string()),
  impl: z.string(),
});
export type Estimate = z.infer<typeof Estimate>;

const id = z.number().int().positive();

// ---------------------------------------------------------------------------------------------
// Methods: one list drives the service, the HTTP server, Electron IPC and the preload bridge.

export /** A RunSpec as users write it (any JSON in), validated and defaulted (a RunSpec out). */
const userSpec = z.unknown().pipe(RunSpecSchema);

const methods = {
  'system.info': {
    args: z.object({}).strict(),
    result: z.object({ version: z.string(), dbPath: z.string(), host: z.string() }),
  },
  'datasets.list': { args: z.object({}).strict(), result: z.array(DatasetSummary) },
  'datasets.get': { args: z.object({ id }).strict(), result: DatasetSummary },
  'datasets.import': { args: DatasetImportArgs, result: DatasetSummary },
  'datasets.update': {
    args: z
      .object({
        id,
        name: z.string().min(1).optional(),
        notes: z.string().optional(),
        timeColumn: z.string().nullable().optional(),
        seriesColumn: z.string().nullable().optional(),
      })
      .strict(),
    result: DatasetSummary,
  },
  'datasets.delete': { args: z.object({ id }).strict(), result: z.object({ deleted: z.boolean() }) },
  'datasets.rows': { args: DatasetRowsArgs, result: DatasetRows },
  'datasets.series': {
    args: z
      .object({
        id,
        columns: z.array(z.string()).min(1).max(16),
        /** Series id to select in long-format data. */
        series: z.string().optional(),
        /** Min/max decimation on the host: about 2 × buckets points per column instead of every row. */
        buckets: z.number().int().min(10).max(1_000_000).optional(),
        /** Only rows whose time (or row index) lies in [from, to]. */
        range: z.tuple([z.number(), z.number()]).optional(),
      })
      .strict(),
    result: z.object({
      /** Time axis (ms since epoch) or null when the dataset has no time column. */
      time: z.array(z.number()).nullable(),
      series: z.array(z.object({ name: z.string(), values: z.array(z.number().nullable()) })),
      /** Rows in the selection before decimation. */
      total: z.number().int(),
      /** With buckets or range: each returned point's position among the selected rows (the x of a dataset without time). */
      index: z.array(z.number().int()).optional(),
    }),
  },
  'runs.list': {
    args: z.object({ datasetId: id.optional() }).strict(),
    result: z.array(RunRow),
  },
  'runs.get': { args: z.object({ id }).strict(), result: RunRow },
  // The spec is validated here, at the boundary, like every other argument: hosts answer a bad
  // spec with `invalid_args` naming the field (`spec.window.lookback`) before the service runs.
  // Callers pass what a user wrote (a JSON file, the designer's form, --set), hence `unknown` in.
  'runs.estimate': {
    args: z.object({ datasetId: id, spec: userSpec }).strict(),
    result: Estimate,
  },
  'runs.create': {
    args: z
      .object({
        datasetId: id,
        spec: userSpec,
        name: z.string().min(1).optional(),
        parentId: id.optional(),
        tags: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    result: RunRow,
  },
  'runs.stop': { args: z.object({ id }).strict(), result: RunRow },
  'runs.resume': { args: z.object({ id }).strict(), result: RunRow },
  'runs.update': {
    args: z
      .object({
        id,
        name: z.string().min(1).optional(),
        notes: z.string().optional(),
        tags: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    result: RunRow,
  },
  'runs.delete': { args: z.object({ id }).strict(), result: z.object({ deleted: z.boolean() }) },
  'runs.metrics': {
    args: z.object({ ids: z.array(id).min(1).max(200), keys: z.array(z.string()).optional() }).strict(),
    result: z.array(MetricPoint),
  },
  'runs.predictions': {
    args: z.object({ id, split: z.enum(['test']).default('test') }).strict(),
    result: Predictions.nullable(),
  },
  'runs.export': {
    // force: replace an existing, non-empty export folder (refused otherwise); format: tfjs (model.json + weights.bin) or onnx (model.onnx).
    args: z
      .object({
        id,
        outDir: z.string().min(1),
        checkpoint: z.enum(['best', 'last']).default('best'),
        force: z.boolean().optional(),
        format: z.enum(['tfjs', 'onnx']).default('tfjs'),
      })
      .strict(),
    result: ExportResult,
  },
  // Forecasts after the end of the run's dataset, or for every window of a new CSV (docs/export.md).
  'runs.predict': { args: PredictArgs, result: PredictResult },
  'runs.csv': {
    args: z.object({ ids: z.array(id).optional(), what: z.enum(['runs', 'metrics', 'predictions']) }).strict(),
    result: z.object({ fileName: z.string(), csv: z.string() }),
  },
  'settings.get': { args: z.object({}).strict(), result: Settings },
  'settings.set': {
    // null: back to the default (one trainer per two cores).
    args: z.object({ maxTrainers: z.number().int().min(1).max(MAX_TRAINERS_LIMIT).nullable() }).strict(),
    result: Settings,
  },
  // Run bundles (docs/bundles.md): runs with everything they hold, and their dataset (or, with
  // data: false, only its sha256 and column manifest), as one .rnnwb zip; force replaces a file.
  'runs.bundle': {
    args: z
      .object({
        ids: z.array(id).min(1).max(10_000),
        outPath: z.string().min(1),
        data: z.boolean().default(true),
        force: z.boolean().optional(),
      })
      .strict(),
    result: BundleResult,
  },
  'runs.importBundle': {
    args: z.object({ path: z.string().min(1), expectedBytes: z.number().int().nonnegative().optional() }).strict(),
    result: ImportBundleResult,
  },
  ...backtestMethods,
  ...runLogMethods,
  ...studyMethods,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export type Args<M extends MethodName> = z.input<Methods[M]['args']>;
export type ParsedArgs<M extends MethodName> = z.output<Methods[M]['args']>;
export type Output<M extends MethodName> = z.output<Methods[M]['result']>;

// ---------------------------------------------------------------------------------------------
// Events pushed from the service to every subscribed UI.

export interface RunProgress {
  runId: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  samplesPerSec: number;
  etaSeconds: number;
}
export interface RunEpoch {
  runId: number;
  epoch: number;
  metrics: Record<string, number>;
  wallTime: number;
}
export interface RunStatusEvent {
  runId: number;
  status: RunStatus;
  error?: string | null;
}
import type { RunLog } from './run-log-schemas.js';
export type { RunLog };
export interface ImportProgress {
  file: string;
  bytes: number;
  totalBytes: number;
  rows: number;
}
export interface EventMap extends StudyEventMap {
  'run:progress': RunProgress;
  'run:epoch': RunEpoch;
  'run:status': RunStatusEvent;
  'run:log': RunLog;
  'import:progress': ImportProgress;
  'datasets:changed': { id: number };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = [
  'run:progress',
  'run:epoch',
  'run:status',
  'run:log',
  'import:progress',
  'datasets:changed',
  ...STUDY_EVENT_NAMES,
];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
/** Validates a call's arguments at a host boundary. */
export function parseArgs<M extends MethodName>(method: M, args: unknown): Result<ParsedArgs<M>> {
  const parsed = methods[method].args.safeParse(args ?? {});
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  return { ok: true, value: parsed.data as ParsedArgs<M> };
}
