// Turns a dataset's columns and a RunSpec into what training needs: per-series scaled feature
// and target arrays (rows × columns, never rows × lookback × columns), the window end indices of
// each split, the scalers (fitted on train rows only) and the season length for the baselines.
// Every problem with the spec or the data is a ServiceError naming the field or column.
import { ServiceError, type RunSpec } from '../../core/contract.js';
import { fitLinearReferences } from './linear-reference.js';
import {
  classesOf,
  refuseEmptySplits,
  refuseUnusableColumns,
  resolveColumns,
  seriesSplits,
  sizeSpec,
  splitRows,
  type DatasetInfo,
  type SourceColumn,
  type Split,
} from '../../core/spec-rules.js';
import { fillMissing } from './fill.js';
import { forwardSeries } from './transforms.js';
import { fitScaler, scale, type Scaler } from './scaler.js';
import { chooseSeason } from './seasonality.js';
import { fitTargetScale, resolveTargetPrep, type TargetPrep } from './target-prep.js';

/** One series in time order. */
export interface Group {
  key: string;
  rows: number;
  /** Scaled inputs, row-major [rows, features]. */
  x: Float32Array;
  /** Targets in model units before window normalisation (transformed, scaled) [rows, targets], or class index per row (classify). */
  y: Float64Array;
  /** Targets in original units [rows, targets] (forecast), for metrics and baselines. */
  raw: Float64Array;
  time: Float64Array;
  /** First row of the val and test splits inside this group. */
  valStart: number;
  testStart: number;
}

export interface Prepared {
  task: RunSpec['task'];
  features: string[];
  targets: string[];
  classes: string[] | null;
  scalers: Record<string, Scaler>;
  lookback: number;
  /** How `lookback: auto` was resolved (run log); null when the spec gave a number. */
  lookbackHow: string | null;
  horizon: number;
  groups: Group[];
  /** Windows as (group, t) pairs, t = index of the last input row. */
  windows: { train: Int32Array; val: Int32Array; test: Int32Array };
  seasonLength: number;
  /** How the season length was found (run log, preprocessing). */
  seasonHow: string;
  /** Forecast: per target, its transform and normalisation (empty for classify). */
  targetPrep: TargetPrep[];
  /** Per feature, the index of the target it is (its inputs share the target's units), or -1. */
  featureTarget: number[];
  /** Output names: `price@1` … per target and horizon step, or the class labels. */
  outputs: string[];
  /** Problems that do not stop training (a series too short for any training window), for the run log. */
  warnings: string[];
}

export function prepare(given: RunSpec, ds: DatasetInfo, load: (name: string) => SourceColumn): Prepared {
  let spec: RunSpec = given;
  const { targets, features, time, series } = resolveColumns(spec, ds);
  const used = [...new Set([...features, ...(spec.task === 'forecast' ? targets : [])])];
  refuseUnusableColumns(spec, { targets, features }, load);
  const cols = new Map(used.map((n) => [n, load(n)]));

  // Classes for classification (the same rule the estimate applied before the run was stored).
  let classes: string[] | null = null;
  let classOf: Int32Array | null = null;
  if (spec.task === 'classify') ({ classes, classOf } = classesOf(load(targets[0]!), targets[0]!));

  // Row order per series: grouped by series id, sorted by time (stable).
  const n = ds.rowCount;
  const timeCol = time ? load(time) : null;
  const timeVals = timeCol?.values ?? null;
  const seriesCol = series ? load(series) : null;
  const groupRows = rowsBySeries(n, seriesCol);
  // Out of order: sorted as a plain array, as before (the same order even with missing times).
  if (timeVals)
    for (const [key, rows] of groupRows)
      if (!inTimeOrder(rows, timeVals))
        groupRows.set(key, Int32Array.from(Array.from(rows).sort((a, b) => timeVals[a]! - timeVals[b]! || a - b)));

  // Per group: copy columns in row order, apply the missing-value policy.
  interface Raw {
    key: string;
    rows: Int32Array;
    cols: Map<string, Float64Array>;
    cls: Int32Array | null;
  }
  const raws: Raw[] = [];
  for (const [key, rowsAll] of groupRows) {
    let rows = rowsAll;
    if (spec.missing === 'drop' || spec.missing === 'error') {
      const bad = rows.find(
        (r) => used.some((c) => Number.isNaN(cols.get(c)!.values![r]!)) || (classOf !== null && classOf[r]! < 0),
      );
      if (bad !== undefined && spec.missing === 'error') {
        const col = used.find((c) => Number.isNaN(cols.get(c)!.values![bad]!)) ?? targets[0]!;
        throw new ServiceError(
          'bad_input',
          `missing value in column "${col}" at data row ${bad + 1} (line ${bad + 2}); choose "missing": "drop", "ffill" or "interpolate"`,
          'spec.missing',
        );
      }
      rows = rows.filter(
        (r) => !used.some((c) => Number.isNaN(cols.get(c)!.values![r]!)) && (classOf === null || classOf[r]! >= 0),
      );
    } else if (classOf !== null) {
      rows = rows.filter((r) => classOf![r]! >= 0);
    }
    // A backtest fold ends each series `cutoff` rows early, before filling, so nothing after the cut leaks in.
    if (spec.cutoff) rows = rows.slice(0, Math.max(0, rows.length - spec.cutoff));
    const gcols = new Map<string, Float64Array>();
    for (const c of used) {
      const v = gather(cols.get(c)!.values!, rows);
      if (spec.missing === 'ffill' || spec.missing === 'interpolate') fillMissing(v, spec.missing);
      gcols.set(c, v);
    }
    raws.push({ key, rows, cols: gcols, cls: classOf ? Int32Array.from(gather(classOf, rows)) : null });
  }

  // Splits per series, then scalers fitted on the train rows of every series.
  const splits = raws.map((g) => splitRows(g.rows.length, spec.split));
  const scalers: Record<string, Scaler> = {};
  const trainOf = (v: Float64Array, i: number) => v.subarray(0, splits[i]!.valStart);
  // Forecast targets: transformed (z) per series, their scaler fitted on z's train rows.
  // The season first: `season` normalisation of the targets depends on it.
  const season = seasonOf(spec, targets[0]!, raws[0], splits[0]?.valStart ?? 0, timeVals, timeCol?.kind);
  // `lookback: auto` from the season and the train rows: everything below uses the number.
  const sized = sizeSpec(
    spec,
    splits.map((s) => s.valStart),
    spec.task === 'forecast' ? season.season : 1,
  );
  spec = sized.spec;
  const { lookback, horizon, stride } = sized.spec.window;
  const targetPrep: TargetPrep[] = [];
  const zs = new Map<string, Float64Array[]>();
  if (spec.task === 'forecast') {
    for (const t of targets) {
      const rawCols = raws.map((g) => g.cols.get(t)!);
      const choice = resolveTargetPrep(
        sized.spec,
        t,
        rawCols.map(trainOf),
        rawCols,
        features.includes(t),
        season.season,
      );
      const z = rawCols.map((v) => forwardSeries(choice.transform, v));
      const fit = fitTargetScale(sized.spec, choice, z.map(trainOf));
      scalers[t] = fit.scaler;
      zs.set(t, z);
      targetPrep.push({ ...choice, windowScale: fit.windowScale });
    }
  }
  for (const c of used)
    if (!zs.has(c))
      scalers[c] = fitScaler(
        spec.scaling,
        raws.map((g, i) => trainOf(g.cols.get(c)!, i)),
      );

  const F = features.length;
  const T = targets.length;
  const groups: Group[] = raws.map((g, gi) => {
    const rows = g.rows.length;
    const x = new Float32Array(rows * F);
    features.forEach((f, j) => {
      const v = zs.get(f)?.[gi] ?? g.cols.get(f)!;
      const s = scalers[f]!;
      // A differenced target has no value at row 0: its input there is the scaled mean, 0.
      const isTarget = zs.has(f);
      for (let r = 0; r < rows; r++) x[r * F + j] = Number.isNaN(v[r]!) && isTarget ? 0 : scale(s, v[r]!);
    });
    let y: Float64Array;
    let raw: Float64Array;
    if (g.cls) {
      y = Float64Array.from(g.cls);
      raw = Float64Array.from(g.cls);
    } else {
      y = new Float64Array(rows * T);
      raw = new Float64Array(rows * T);
      targets.forEach((t, j) => {
        const v = g.cols.get(t)!;
        const z = zs.get(t)![gi]!;
        const s = scalers[t]!;
        for (let r = 0; r < rows; r++) {
          y[r * T + j] = scale(s, z[r]!);
          raw[r * T + j] = v[r]!;
        }
      });
    }
    const tv = timeVals ? gather(timeVals, g.rows) : Float64Array.from(g.rows);
    return { key: g.key, rows, x, y, raw, time: tv, ...splits[gi]! };
  });

  // Windows: targets of a window lie inside one split; inputs may reach back into earlier rows of the same series.
  const build = (split: Split): Int32Array => {
    const bounds = groups.map((g) => {
      const [start, end] =
        split === 'train' ? [0, g.valStart] : split === 'val' ? [g.valStart, g.testStart] : [g.testStart, g.rows];
      return { lo: Math.max(start - 1, lookback - 1), end };
    });
    let count = 0;
    for (const { lo, end } of bounds) if (lo + horizon < end) count += Math.ceil((end - horizon - lo) / stride);
    const out = new Int32Array(2 * count);
    let k = 0;
    bounds.forEach(({ lo, end }, gi) => {
      for (let t = lo; t + horizon < end; t += stride) {
        out[k++] = gi;
        out[k++] = t;
      }
    });
    return out;
  };
  const windows = { train: build('train'), val: build('val'), test: build('test') };
  // Per series, with the same counting as the windows just built (one rule, core/spec-rules.ts).
  const warnings = refuseEmptySplits(
    sized.spec,
    groups.map((g) => seriesSplits(sized.spec, g.key, g.rows, g)),
  );

  const outputs =
    spec.task === 'classify'
      ? classes!.slice()
      : targets.flatMap((t) => Array.from({ length: horizon }, (_, h) => `${t}@${h + 1}`));
  const featureTarget = features.map((f) => (spec.task === 'forecast' ? targets.indexOf(f) : -1));
  const prepared: Prepared = {
    task: spec.task,
    features,
    targets,
    classes,
    scalers,
    lookback,
    horizon,
    groups,
    windows,
    seasonLength: season.season,
    seasonHow: season.how,
    lookbackHow: sized.how,
    targetPrep,
    featureTarget,
    outputs,
    warnings,
  };
  if (spec.task === 'forecast' && spec.linearReference === 'auto') fitLinearReferences(prepared);
  return prepared;
}

/** The season of the first series' first target, from its time column's frequency and its train split. */
function seasonOf(
  spec: RunSpec,
  target: string,
  g: { rows: Int32Array; cols: Map<string, Float64Array> } | undefined,
  valStart: number,
  timeVals: ArrayLike<number> | null,
  timeKind: SourceColumn['kind'] | undefined,
): { season: number; how: string } {
  if (spec.task !== 'forecast' || !g) return { season: spec.seasonLength ?? 1, how: 'classification: no season' };
  const train = g.cols.get(target)!.subarray(0, valStart);
  const kind = (timeKind === 'datetime' || timeKind === 'numeric') && timeVals ? timeKind : undefined;
  const time = kind ? gather(timeVals!, g.rows.subarray(0, valStart)) : null;
  return chooseSeason({
    train,
    time,
    ...(kind ? { timeKind: kind } : {}),
    ...(spec.seasonLength !== undefined ? { spec: spec.seasonLength } : {}),
  });
}

/**
 * Row indices per series, in file order, series in order of first appearance. Typed arrays (a
 * million-row number[] and a closure per row cost a good part of a second at start-up).
 */
function rowsBySeries(n: number, seriesCol: SourceColumn | null): Map<string, Int32Array> {
  if (!seriesCol) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return new Map([['', all]]);
  }
  const keyOf = (i: number): string =>
    seriesCol.kind === 'categorical' ? (seriesCol.labels![seriesCol.codes![i]!] ?? '') : String(seriesCol.values![i]);
  const index = new Map<string, number>();
  const counts: number[] = [];
  const which = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyOf(i);
    let g = index.get(key);
    if (g === undefined) {
      index.set(key, (g = counts.length));
      counts.push(0);
    }
    which[i] = g;
    counts[g]!++;
  }
  const lists = counts.map((c) => new Int32Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < n; i++) lists[which[i]!]![fill[which[i]!]!++] = i;
  return new Map([...index.keys()].map((key, g) => [key, lists[g]!]));
}

/** Are these rows in non-decreasing time? (Most files are: checking is O(n), sorting a million rows most of a second.) */
function inTimeOrder(rows: Int32Array, time: ArrayLike<number>): boolean {
  for (let i = 1; i < rows.length; i++) if (!(time[rows[i - 1]!]! <= time[rows[i]!]!)) return false;
  return true;
}

/** src at the given rows, as a new Float64Array. */
function gather(src: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]!]!;
  return out;
}
