// The run designer's estimate: parameter count and windows per split, computed without TF.js and
// without building any windows; also the early check that refuses a spec that cannot train.
import { ServiceError, type Estimate, type RunSpec } from './contract.js';
import type { DB } from '../db/open.js';
import { columnLoader, datasetInfo, readDatasetSummary } from './datasets.js';
import {
  classesOf,
  estimateWindows,
  refuseEmptySplits,
  refuseUnusableColumns,
  resolveColumns,
  sizeSpec,
  splitRows,
  type SourceColumn,
} from './spec-rules.js';
import { countParams } from './params.js';

/** Rows per series id (one '' series without a series column), keyed like prepare(): a categorical id by its label, a numeric one by its value. */
export function seriesSizes(rowCount: number, s: SourceColumn | null): Map<string, number> {
  const sizes = new Map<string, number>();
  if (!s) return sizes.set('', rowCount);
  for (let r = 0; r < rowCount; r++) {
    const k = s.codes ? (s.labels![s.codes[r]!] ?? '') : String(s.values![r]);
    sizes.set(k, (sizes.get(k) ?? 0) + 1);
  }
  return sizes;
}

export function estimateRun(db: DB, datasetId: number, given: RunSpec): Estimate {
  const info = datasetInfo(db, datasetId);
  if (!info) throw new ServiceError('not_found', `dataset ${datasetId} does not exist`, 'datasetId');
  let cols: ReturnType<typeof resolveColumns>;
  try {
    cols = resolveColumns(given, info);
  } catch (e) {
    // A "numeric" target read as text: the import recorded the first cell that was not a number.
    const m = e instanceof ServiceError ? /column "([^"]+)" is categorical/.exec(e.message) : null;
    const why = m ? readDatasetSummary(db, datasetId).warnings.find((w) => w.includes(`column "${m[1]}"`)) : undefined;
    if (why)
      throw new ServiceError(
        'bad_input',
        `${(e as ServiceError).message}; at import, ${why}`,
        (e as ServiceError).field,
      );
    throw e;
  }
  const load = columnLoader(db, datasetId);
  refuseUnusableColumns(given, cols, load);
  const sizes = seriesSizes(info.rowCount, cols.series ? load(cols.series) : null);
  // `lookback: auto` as the trainer resolves it, but without the season the trainer infers (unknown here).
  const trainRows = [...sizes.values()].map(
    (n) => splitRows(Math.max(0, n - (given.cutoff ?? 0)), given.split).valStart,
  );
  const { spec } = sizeSpec(given, trainRows, given.seasonLength ?? 1);
  const { rows, windows, series } = estimateWindows(
    spec,
    [...sizes].map(([key, n]) => ({ key, rows: n })),
  );
  refuseEmptySplits(spec, series);
  const { lookback, horizon } = spec.window;
  let outputs = cols.targets.length * horizon;
  if (spec.task === 'classify') outputs = classesOf(load(cols.targets[0]!), cols.targets[0]!).classes.length;
  const paramCount = countParams(spec, { lookback, features: cols.features.length, outputs });
  const impl = spec.model.impl === 'layers' || spec.model.bidirectional ? 'tf.layers' : 'fused (when available)';
  return { paramCount, windows, rows, features: cols.features, targets: cols.targets, impl };
}
