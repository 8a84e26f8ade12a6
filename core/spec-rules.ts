// The spec rules that host and worker both apply: which columns a spec uses, how a series splits
// into train/val/test rows, how many windows each split holds, and the one wording of a window
// that does not fit. Pure (no database, no TF.js): the run designer's estimate (core/estimate.ts)
// and the worker's data preparation (prepare()) call the same functions.
import { ServiceError, type RunSpec } from './contract.js';
import type { SizedSpec } from './spec.js';

export interface SourceColumn {
  name: string;
  kind: 'numeric' | 'datetime' | 'categorical';
  values?: Float64Array;
  codes?: Int32Array;
  labels?: string[];
}

export interface DatasetInfo {
  name: string;
  rowCount: number;
  timeColumn: string | null;
  seriesColumn: string | null;
  columns: { name: string; kind: SourceColumn['kind'] }[];
}

export type Split = 'train' | 'val' | 'test';

/** Resolves the spec's columns against the dataset, naming the offending field on error. */
export function resolveColumns(
  spec: RunSpec,
  ds: DatasetInfo,
): { targets: string[]; features: string[]; time: string | null; series: string | null } {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const known = ds.columns.map((c) => c.name).join(', ');
  const need = (name: string, field: string) => {
    const c = byName.get(name);
    if (!c)
      throw new ServiceError(
        'bad_input',
        `${field}: unknown column "${name}" in dataset "${ds.name}" (columns: ${known})`,
        field,
      );
    return c;
  };
  const time = spec.time ?? ds.timeColumn;
  if (spec.time) need(spec.time, 'spec.time');
  const series = spec.series === undefined ? ds.seriesColumn : spec.series;
  if (series) need(series, 'spec.series');
  spec.target.forEach((t, i) => {
    const c = need(t, spec.target.length > 1 ? `spec.target.${i}` : 'spec.target');
    if (spec.task === 'forecast' && c.kind !== 'numeric') {
      throw new ServiceError(
        'bad_input',
        `spec.target: column "${t}" is ${c.kind}; a forecast target must be numeric (use "task": "classify" for labels)`,
        'spec.target',
      );
    }
  });
  let features = spec.features;
  if (!features) {
    features =
      spec.task === 'forecast'
        ? [...spec.target]
        : ds.columns
            .filter(
              (c) => c.kind === 'numeric' && c.name !== time && c.name !== series && !spec.target.includes(c.name),
            )
            .map((c) => c.name);
    if (features.length === 0)
      throw new ServiceError(
        'bad_input',
        'spec.features: the dataset has no numeric column to use as a feature',
        'spec.features',
      );
  }
  features.forEach((f, i) => {
    const c = need(f, `spec.features.${i}`);
    if (c.kind !== 'numeric')
      throw new ServiceError(
        'bad_input',
        `spec.features.${i}: column "${f}" is ${c.kind}; features must be numeric`,
        `spec.features.${i}`,
      );
  });
  return { targets: spec.target, features, time: time ?? null, series: series ?? null };
}

/** Windows whose last input row t lies in [from, …) and whose targets lie inside [start, end). */
export function countWindows(
  start: number,
  end: number,
  lookback: number,
  horizon: number,
  stride: number,
  from: number,
): number {
  // Window ends t with t >= from (inputs reach back at most to row 0), targets t+1..t+horizon inside [start, end).
  const lo = Math.max(start - 1, lookback - 1, from);
  const hi = end - 1 - horizon;
  return hi < lo ? 0 : Math.floor((hi - lo) / stride) + 1;
}

/** Split row counts for a series of n rows. */
export function splitRows(n: number, split: RunSpec['split']): { valStart: number; testStart: number } {
  const valStart = Math.floor(n * split.train);
  const testStart = Math.floor(n * (split.train + split.val));
  return { valStart, testStart };
}

/** One series' rows and windows per split: what the refusals and warnings below are worded from. */
export interface SeriesSplits {
  /** The series id ('' when the dataset is one series). */
  key: string;
  rows: Record<Split, number>;
  windows: Record<Split, number>;
}

const SPLITS: readonly Split[] = ['train', 'val', 'test'];
const LISTED = 8;

const seriesName = (key: string) => (key === '' ? '(no id)' : key);

/** "series A 11, B 11, C 9" (the first few, then how many more). */
function listSeries(series: SeriesSplits[], split: Split): string {
  const shown = series.slice(0, LISTED).map((g) => `${seriesName(g.key)} ${g.rows[split]}`);
  const more = series.length > LISTED ? `, … ${series.length - LISTED} more` : '';
  return `series ${shown.join(', ')}${more}`;
}

/** How a split's rows are worded: the one count of a single series, or each series' count. */
function rowsOf(series: SeriesSplits[], split: Split): string {
  if (series.length === 1) return `the ${split} split has ${series[0]!.rows[split]} rows`;
  const most = Math.max(...series.map((g) => g.rows[split]));
  return `the ${split} split of each series has at most ${most} rows (${listSeries(series, split)})`;
}

/**
 * The one place that words a window that does not fit a split (the trainer and the run designer's
 * estimate). Counts are per series: windows never cross series, so a total over series (33 rows in
 * 3 series of 11) would promise windows that cannot exist. Refuses a spec no series can train or
 * evaluate; returns warnings for series that are too short to add training windows while others
 * are fine (the trainer logs them).
 */
export function refuseEmptySplits(spec: SizedSpec, series: SeriesSplits[]): string[] {
  const { lookback, horizon } = spec.window;
  const need = lookback + horizon;
  const total = (s: Split) => series.reduce((a, g) => a + g.windows[s], 0);
  if (total('train') === 0) {
    throw new ServiceError(
      'bad_input',
      `spec.window: lookback ${lookback} + horizon ${horizon} needs ${need} rows in a series' train split, but ${rowsOf(series, 'train')}; lower the lookback or horizon, or raise split.train`,
      'spec.window.lookback',
    );
  }
  for (const s of ['val', 'test'] as const) {
    if (total(s) > 0) continue;
    const noRows = series.every((g) => g.rows[s] === 0);
    throw new ServiceError(
      'bad_input',
      noRows
        ? `spec.split.${s}: the ${s} split has no rows${series.length > 1 ? ' in any series' : ''}; raise split.${s}`
        : `spec.window.horizon: horizon ${horizon} is larger than the ${s} split: ${rowsOf(series, s)}; lower the horizon or raise split.${s}`,
      noRows ? `spec.split.${s}` : 'spec.window.horizon',
    );
  }
  const short = series.filter((g) => g.windows.train === 0);
  if (short.length === 0) return [];
  const rest = SPLITS.filter((s) => s !== 'train' && short.some((g) => g.windows[s] > 0));
  return [
    `${short.length} of ${series.length} series ${short.length === 1 ? 'has' : 'have'} too few train rows for lookback ${lookback} + horizon ${horizon} (needs ${need}): ` +
      `${listSeries(short, 'train')}; they add no training windows${rest.length ? ` (their ${rest.join(' and ')} windows are still evaluated)` : ''}`,
  ];
}

/** One series' rows and windows per split, from its row count (the estimate) or its split starts (prepare). */
export function seriesSplits(spec: SizedSpec, key: string, n: number, starts = splitRows(n, spec.split)): SeriesSplits {
  const { lookback, horizon, stride } = spec.window;
  const { valStart, testStart } = starts;
  return {
    key,
    rows: { train: valStart, val: testStart - valStart, test: n - testStart },
    windows: {
      train: countWindows(0, valStart, lookback, horizon, stride, 0),
      val: countWindows(valStart, testStart, lookback, horizon, stride, 0),
      test: countWindows(testStart, n, lookback, horizon, stride, 0),
    },
  };
}

/** Windows of a split without building the data (run designer estimate); groups are row counts or named series. */
export function estimateWindows(
  spec: SizedSpec,
  groups: (number | { key: string; rows: number })[],
): { rows: Record<Split, number>; windows: Record<Split, number>; series: SeriesSplits[] } {
  // A backtest fold sees each series without its last `cutoff` rows (prepare() cuts them the same way).
  const cut = (n: number) => Math.max(0, n - (spec.cutoff ?? 0));
  const series = groups.map((g) =>
    typeof g === 'number' ? seriesSplits(spec, '', cut(g)) : seriesSplits(spec, g.key, cut(g.rows)),
  );
  const sum = (pick: (g: SeriesSplits) => Record<Split, number>) => {
    const out = { train: 0, val: 0, test: 0 };
    for (const g of series) for (const s of SPLITS) out[s] += pick(g)[s];
    return out;
  };
  return { rows: sum((g) => g.rows), windows: sum((g) => g.windows), series };
}

/** The lookback `auto` aims at without a season: two years of monthly data, a day of hourly data. */
export const AUTO_LOOKBACK = 24;

/**
 * Seasons longer than this (hourly data's 24, weekly data's 52) are not put into the window twice:
 * 2m rows are slow, and the season normalisation a window longer than m enables lost on both long
 * seasons of the forecast battery (weekly CO2 0.30 → 0.46 MAE, below naive; hourly 0.50 → 0.82,
 * below seasonal naive; docs/benchmarks.md), while monthly, quarterly and daily seasons gained.
 */
export const AUTO_LOOKBACK_MAX_SEASON = 12;

/**
 * `window.lookback: 'auto'`: three seasons and a row (3m + 1, at least 12 rows) with a season
 * m ≤ AUTO_LOOKBACK_MAX_SEASON, else AUTO_LOOKBACK: room for `season` normalisation to average the
 * season-ago change over three seasons (worker/data/season-base.ts; 2m before, which holds one);
 * capped at a quarter of the train rows, so that a short series keeps most of its rows as training
 * windows, but never below m + 1 (season normalisation needs the season inside the window), and
 * never beyond what leaves one training window (train rows − horizon).
 */
export function autoLookback(season: number, trainRows: number, horizon: number): { lookback: number; how: string } {
  const m = season > 1 && season <= AUTO_LOOKBACK_MAX_SEASON ? season : 0;
  const want = m ? Math.max(3 * m + 1, 12) : AUTO_LOOKBACK;
  const quarter = Math.max(Math.floor(trainRows / 4), m ? m + 1 : 4);
  const lookback = Math.max(1, Math.min(want, quarter, trainRows - horizon));
  const aim = m
    ? `3 × season ${m} + 1${3 * m + 1 < 12 ? ' (at least 12)' : ''} = ${want}`
    : `${season > 1 ? `season ${season} longer than ${AUTO_LOOKBACK_MAX_SEASON}` : 'no season'} → ${want}`;
  const capped =
    lookback < want ? `, capped by the ${trainRows} train rows (a quarter, at least season + 1, leaving a window)` : '';
  return { lookback, how: `lookback auto → ${lookback} (${aim}${capped})` };
}

/**
 * The spec with its lookback as a number: `auto` resolved from the season and the train rows of the
 * median series (the trainer knows the season; the estimate passes spec.seasonLength or 1). `how`
 * is the run log's line (null for a lookback the spec gave).
 */
export function sizeSpec(spec: RunSpec, trainRows: number[], season: number): { spec: SizedSpec; how: string | null } {
  const l = spec.window.lookback;
  if (typeof l === 'number') return { spec: { ...spec, window: { ...spec.window, lookback: l } }, how: null };
  const sorted = [...trainRows].sort((a, b) => a - b);
  const rows = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const auto = autoLookback(season, rows, spec.window.horizon);
  return { spec: { ...spec, window: { ...spec.window, lookback: auto.lookback } }, how: auto.how };
}

/** A classify target's classes: a categorical column's labels in use, or the distinct values of a small integer column. */
export function classesOf(c: SourceColumn, name: string): { classes: string[]; classOf: Int32Array } {
  let classes: string[];
  let classOf: Int32Array;
  if (c.kind === 'categorical') {
    const used = new Set<number>();
    for (const code of c.codes!) if (code >= 0) used.add(code);
    const codes = [...used].sort((a, b) => a - b);
    const remap = new Map(codes.map((code, i) => [code, i]));
    classes = codes.map((code) => c.labels![code]!);
    classOf = Int32Array.from(c.codes!, (code) => (code >= 0 ? remap.get(code)! : -1));
  } else {
    const vals = c.values!;
    const distinct = [...new Set(Array.from(vals).filter((x) => !Number.isNaN(x)))].sort((a, b) => a - b);
    if (distinct.length > LIMIT_CLASSES || distinct.some((x) => !Number.isInteger(x))) {
      const why = distinct.some((x) => !Number.isInteger(x))
        ? 'fractional values'
        : `${distinct.length} distinct values (at most ${LIMIT_CLASSES} classes)`;
      throw new ServiceError(
        'bad_input',
        `spec.target: column "${name}" is numeric with ${why}; classify needs a categorical column or a few integer codes (use "task": "forecast" for a number)`,
        'spec.target',
      );
    }
    const idx = new Map(distinct.map((x, i) => [x, i]));
    classes = distinct.map(String);
    classOf = Int32Array.from(vals, (x) => (Number.isNaN(x) ? -1 : idx.get(x)!));
  }
  if (classes.length < 2) {
    throw new ServiceError(
      'bad_input',
      `spec.target: column "${name}" has only one class (${classes[0] ?? 'none'}); classification needs at least two`,
      'spec.target',
    );
  }
  return { classes, classOf };
}

const LIMIT_CLASSES = 100;

/**
 * Refuses columns a run could never train on, before anything is stored (docs/runspec.md): a
 * target or feature whose every cell is missing, or a classify target that is not a set of
 * classes. The run designer's estimate, runs.create and the trainer's prepare() all call it.
 */
export function refuseUnusableColumns(
  spec: RunSpec,
  cols: { targets: string[]; features: string[] },
  load: (name: string) => SourceColumn,
): void {
  const used = [...new Set([...cols.features, ...cols.targets])];
  for (const name of used) {
    const c = load(name);
    const present = c.codes ? c.codes.some((x) => x >= 0) : c.values!.some((x) => !Number.isNaN(x));
    if (!present) {
      const field = cols.targets.includes(name) ? 'spec.target' : `spec.features.${cols.features.indexOf(name)}`;
      throw new ServiceError(
        'bad_input',
        `${field}: column "${name}" has no values (every cell is missing); choose another column`,
        field,
      );
    }
  }
  if (spec.task === 'classify') classesOf(load(cols.targets[0]!), cols.targets[0]!);
}
