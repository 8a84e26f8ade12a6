// `rnn-workbench tune`: the built-in study. The season comes from the time column's spacing
// (hourly → 24, daily → 7, monthly → 12, ...); the space covers the cell, depth and width, dropout,
// lookbacks of one to three seasons, the learning rate around the default and the target
// transform and normalisation. TPE over it on the validation MAE with ASHA pruning, so a time budget goes to the
// promising configurations. Pure: the CLI keeps the lookbacks the dataset can hold.
import type { StudyFileInput } from '../study-schemas.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** [spacing upper bound in ms, season]: the usual seasons of regular time series. */
const SEASONS: [number, number][] = [
  [1.5 * MINUTE, 60],
  [20 * MINUTE, 96],
  [45 * MINUTE, 48],
  [1.5 * HOUR, 24],
  [1.5 * DAY, 7],
  [10 * DAY, 52],
  [45 * DAY, 12],
  [120 * DAY, 4],
];

/** The season of a series whose rows are `spacingMs` apart (1: none known). */
export function seasonFromSpacing(spacingMs: number | null): number {
  if (spacingMs === null || !(spacingMs > 0)) return 1;
  return SEASONS.find(([upTo]) => spacingMs <= upTo)?.[1] ?? 1;
}

/** Lookbacks around the season: one, two and three seasons (12, 24, 48 without one), at least 4. */
export function lookbacksFor(season: number): number[] {
  const raw = season > 1 ? [season, 2 * season, 3 * season] : [12, 24, 48];
  return [...new Set(raw.map((l) => Math.max(4, Math.min(l, 10_000))))];
}

export interface TuneOptions {
  target: string;
  season: number;
  /** The lookbacks the dataset can hold (CLI: checked with runs.estimate). */
  lookbacks: number[];
  trials?: number;
  budgetSeconds?: number;
  epochs?: number;
  seed?: number;
  concurrency?: number;
  /** Spec fields set on every trial (`--set`). */
  base?: Record<string, unknown>;
}

export function tuneStudy(o: TuneOptions): StudyFileInput {
  const epochs = o.epochs ?? 50;
  return {
    name: `tune ${o.target}`,
    base: { ...o.base, target: o.target, train: { epochs, patience: 10, ...(o.base?.train as object) } },
    space: {
      'model.cell': ['lstm', 'gru'],
      'model.layers.length': [1, 2],
      'model.layers.*.units': { int: [16, 128], log: true },
      'model.layers.*.dropout': [0, 0.1, 0.2],
      // `auto` (the default run's lookback: two seasons, capped by the train rows) besides the fixed ones.
      'window.lookback': ['auto', ...o.lookbacks],
      'train.learningRate': { float: [1e-3, 1e-2], log: true },
      transform: ['auto', 'none'],
      normalize: ['auto', 'global', 'window'],
    },
    strategy: 'tpe',
    ...(o.trials !== undefined ? { trials: o.trials } : {}),
    ...(o.budgetSeconds !== undefined ? { budgetSeconds: o.budgetSeconds } : {}),
    seeds: 1,
    seed: o.seed ?? 0,
    // val_loss is measured on the transformed, normalised target, so it cannot compare trials that
    // differ in transform or normalisation; the validation MAE is in the data's own units.
    objective: 'val_mae',
    // Judged first after two epochs, then six, eighteen...; short trials are not pruned at all.
    prune: { kind: 'asha', minEpochs: Math.min(2, Math.max(1, epochs - 1)), reduction: 3 },
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    // The defaults first (gru, one layer of 64, learning rate 0.003, lookback auto: chosen on the
    // forecast battery), exactly the default single run: tune's best is never a trial worse on
    // validation than it, and the re-ranking (rerank.ts) falls back on it. Then its neighbours, one
    // field changed each: with the few trials a loaded machine affords, a step away from a strong
    // default finds an improvement more often than a random draw from the whole space.
    first: [DEFAULTS, ...neighbours(o.lookbacks)],
  };
}

const DEFAULTS = {
  'model.cell': 'gru',
  'model.layers.length': 1,
  'model.layers.*.units': 64,
  'model.layers.*.dropout': 0,
  'window.lookback': 'auto',
  'train.learningRate': 0.003,
  transform: 'auto',
  normalize: 'auto',
} as const;

/** The defaults with one field changed: each fixed lookback, the other cell, width, depth, learning rate, transform, dropout. */
export function neighbours(lookbacks: readonly number[]): Record<string, unknown>[] {
  const changes: [string, unknown][] = [
    ...lookbacks.map((l): [string, unknown] => ['window.lookback', l]),
    ['model.cell', 'lstm'],
    ['model.layers.*.units', 128],
    ['model.layers.length', 2],
    ['train.learningRate', 0.001],
    ['train.learningRate', 0.01],
    ['model.layers.*.units', 32],
    ['transform', 'none'],
    ['model.layers.*.dropout', 0.1],
  ];
  return changes.map(([path, value]) => ({ ...DEFAULTS, [path]: value }));
}

/** `--budget 5m`, `90s`, `1h`, `40`, `40 trials`, `40trials`. */
export function parseBudget(text: string): { trials: number } | { budgetSeconds: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|trials?)?\s*$/i.exec(text);
  if (!m) throw new Error(`--budget expects a duration (90s, 5m, 1h) or a trial count (40 trials), got "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'trials').toLowerCase();
  if (unit.startsWith('trial')) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`--budget: a trial count is a whole number ≥ 1, got "${text}"`);
    return { trials: n };
  }
  const scale = unit.startsWith('h') ? 3600 : unit.startsWith('m') ? 60 : 1;
  return { budgetSeconds: n * scale };
}
