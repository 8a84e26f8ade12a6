// `rnn-workbench tune`: the built-in study. The season comes from the time column's spacing
// (hourly → 24, daily → 7, monthly → 12, ...); the space covers the cell, depth and width, dropout,
// lookbacks of one to four seasons plus a row, the learning rate around the default, the loss and
// the target transform and normalisation; a field the user sets (`--set`) is left out of it. TPE
// over it on the validation MAE with ASHA pruning, so a time budget goes to the promising
// configurations. Pure: the CLI keeps the lookbacks the dataset can hold.
import { flattenSpec } from '../spec.js';
import { autoLookback } from '../spec-rules.js';
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

/**
 * Fixed lookbacks around the season besides the default's `auto`: one, two, three and four seasons
 * plus one row (a lookback must exceed the season for `season` normalisation, worker/data/target-prep.ts),
 * leaving out the one `auto` aims at (3m + 1 for m ≤ 12, core/spec-rules.ts: the default trial
 * already has it); without a season 12, 48 and 96 (`auto` is 24). The first three, at least 4.
 */
export function lookbacksFor(season: number): number[] {
  const aim = autoLookback(season, Number.MAX_SAFE_INTEGER, 1).lookback;
  const raw = season > 1 ? [1, 2, 3, 4].map((k) => k * season + 1) : [12, 48, 96];
  const kept = [...new Set(raw.map((l) => Math.max(4, Math.min(l, 10_000))))].filter((l) => l !== aim);
  return kept.slice(0, 3);
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
  const pinned = pinnedBy(o.base ?? {});
  const space = Object.fromEntries(Object.entries(SPACE(o.lookbacks)).filter(([p]) => !pinned(p)));
  return {
    name: `tune ${o.target}`,
    base: { ...o.base, target: o.target, train: { epochs, patience: 10, ...(o.base?.train as object) } },
    space,
    strategy: 'tpe',
    ...(o.trials !== undefined ? { trials: o.trials } : {}),
    ...(o.budgetSeconds !== undefined ? { budgetSeconds: o.budgetSeconds } : {}),
    seeds: 1,
    seed: o.seed ?? 0,
    // val_loss is measured on the transformed, normalised target, so it cannot compare trials that
    // differ in transform or normalisation; the validation MAE is in the data's own units. The
    // shrunk one is the forecast's (the network pulled toward its reference by `shrink`): where the
    // evidence bound sets a network's part to 0, its own val_mae says nothing about the forecast.
    objective: 'val_mae_shrunk',
    // Judged first after two epochs, then six, eighteen...; short trials are not pruned at all. The
    // defaults and their neighbours are spared: validation MAE swings by 10% from epoch to epoch
    // on a 1,000-row series, and the default run itself (best at epoch 14 on gen-hourly-daily)
    // was pruned at epoch 2 when a neighbour repeated it; their values still set the rungs.
    prune: { kind: 'asha', minEpochs: Math.min(2, Math.max(1, epochs - 1)), reduction: 3, spareFirst: true },
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    // The defaults first (gru, one layer of 64, learning rate 0.003, lookback auto: chosen on the
    // forecast battery), exactly the default single run: tune's best is never a trial worse on
    // validation than it, and the re-ranking (rerank.ts) falls back on it. Then its neighbours, one
    // field changed each: with the few trials a loaded machine affords, a step away from a strong
    // default finds an improvement more often than a random draw from the whole space.
    // A field the user pins with `--set` is left out of the space and of these (the default trial is
    // then the default run with the user's fields, as the CLI's `train --set` would make it).
    first: unpinned([DEFAULTS, ...neighbours(o.season, o.lookbacks)], pinned),
  };
}

/** The built-in space (every path a RunSpec field, core/study/space.ts). */
const SPACE = (lookbacks: readonly number[]): StudyFileInput['space'] => ({
  'model.cell': ['lstm', 'gru'],
  'model.layers.length': [1, 2],
  'model.layers.*.units': { int: [16, 128], log: true },
  'model.layers.*.dropout': [0, 0.1, 0.2],
  // `auto` (the default run's lookback: two seasons, capped by the train rows) besides the fixed ones.
  'window.lookback': ['auto', ...lookbacks],
  'train.learningRate': { float: [1e-3, 1e-2], log: true },
  transform: ['auto', 'none'],
  // Tests judge the forecast by MAE, whose best forecast is the median: an `mae` loss trains toward
  // it. As the default it lost (forecast battery, 36 real series: 6 better, 10 worse by more than
  // 0.5%, geometric mean +2.1%), but where it wins it wins by much (gen-intermittent −23%,
  // r-presidents −6%, r-taylor −4%): a choice for the search, not a default. (`huber` moved
  // nothing: 2 better, 5 worse, mean +0.2%.)
  'train.loss': ['mse', 'mae'],
  // Every mode valid for any lookback: `season` fails a run whose season is not confirmed (or not
  // inside the lookback), which tune cannot know beforehand, so only the neighbours try it.
  normalize: ['auto', 'global', 'window', 'ensemble'],
});

/**
 * Which space paths the user's `--set` fields pin: a path the base sets (`train.loss`), an
 * every-layer path (`model.layers.*.units`) where the base sets that field on any layer, and the
 * layer count where the base sets a second layer (`model.layers.0.units=32` alone leaves the count free).
 */
export function pinnedBy(base: Record<string, unknown>): (path: string) => boolean {
  const keys = Object.keys(flattenSpec(base));
  // `model.layers.1.units` → `model.layers.*.units`: the space names every-layer paths.
  const set = new Set(keys.map((k) => k.replace(/^model\.layers\.\d+\./, 'model.layers.*.')));
  const secondLayer = keys.some((k) => /^model\.layers\.[1-9]\d*\./.test(k));
  return (path) => (path === 'model.layers.length' ? secondLayer : set.has(path));
}

/** The configurations without their pinned paths, duplicates (a neighbour that only changed one) dropped. */
function unpinned(configs: Record<string, unknown>[], pinned: (path: string) => boolean): Record<string, unknown>[] {
  const kept = configs.map((c) => Object.fromEntries(Object.entries(c).filter(([p]) => !pinned(p))));
  // A Map keeps each key's first position.
  return [...new Map(kept.map((c) => [JSON.stringify(c), c])).values()];
}

const DEFAULTS = {
  'model.cell': 'gru',
  'model.layers.length': 1,
  'model.layers.*.units': 64,
  'model.layers.*.dropout': 0,
  'window.lookback': 'auto',
  'train.learningRate': 0.003,
  'train.loss': 'mse',
  transform: 'auto',
  normalize: 'auto',
} as const;

/**
 * The defaults with one field changed: first the normalisations `auto` did not pick (global, window,
 * the ensemble; `season` with the default lookback when `auto` leaves room for it, m ≤ 12, and with
 * each fixed lookback, the one case where the lookback changes too), then each fixed lookback, the
 * other cell, width, depth, learning rate, transform, dropout. `season` is tried only here: a
 * series whose season the run does not confirm fails such a trial at once (bad_input, a failed run
 * the study goes past), where in the TPE space it would fail again and again.
 */
export function neighbours(season: number, lookbacks: readonly number[]): Record<string, unknown>[] {
  const seasonal =
    season > 1
      ? [
          ...(autoLookback(season, Number.MAX_SAFE_INTEGER, 1).lookback > season ? [{ normalize: 'season' }] : []),
          ...lookbacks.filter((l) => l > season).map((l) => ({ normalize: 'season', 'window.lookback': l })),
        ]
      : [];
  const changes: Record<string, unknown>[] = [
    { normalize: 'global' },
    { normalize: 'window' },
    { normalize: 'ensemble' },
    ...seasonal,
    ...lookbacks.map((l) => ({ 'window.lookback': l })),
    { 'model.cell': 'lstm' },
    { 'model.layers.*.units': 128 },
    { 'model.layers.length': 2 },
    { 'train.learningRate': 0.001 },
    { 'train.learningRate': 0.01 },
    { 'model.layers.*.units': 32 },
    { transform: 'none' },
    { 'train.loss': 'mae' },
    { 'model.layers.*.dropout': 0.1 },
  ];
  return changes.map((c) => ({ ...DEFAULTS, ...c }));
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
