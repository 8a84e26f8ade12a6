// The run designer's estimate: parameter count and windows per split, computed without TF.js and
// without building any windows; also the early check that refuses a spec that cannot train.
import { ServiceError, type Estimate, type RunSpec } from './contract.js';
import type { DB } from '../db/open.js';
import { columnLoader, datasetInfo, readDatasetSummary } from './datasets.js';
import { estimateWindows, refuseEmptySplits, resolveColumns } from './spec-rules.js';
import { countParams } from './params.js';

export function estimateRun(db: DB, datasetId: number, spec: RunSpec): Estimate {
  const info = datasetInfo(db, datasetId);
  if (!info) throw new ServiceError('not_found', `dataset ${datasetId} does not exist`, 'datasetId');
  let cols: ReturnType<typeof resolveColumns>;
  try {
    cols = resolveColumns(spec, info);
  } catch (e) {
    // A "numeric" target read as text: the import recorded the first cell that was not a number.
    const m = e instanceof ServiceError ? /column "([^"]+)" is categorical/.exec(e.message) : null;
    const why = m ? readDatasetSummary(db, datasetId).warnings.find((w) => w.includes(`column "${m[1]}"`)) : undefined;
    if (why) throw new ServiceError('bad_input', `${(e as ServiceError).message}; at import, ${why}`, (e as ServiceError).field);
    throw e;
  }
  const load = columnLoader(db, datasetId);
  const sizes = new Map<string, number>();
  if (cols.series) {
    const s = load(cols.series);
    for (let r = 0; r < info.rowCount; r++) {
      const k = s.codes ? String(s.codes[r]) : String(s.values![r]);
      sizes.set(k, (sizes.get(k) ?? 0) + 1);
    }
  } else sizes.set('', info.rowCount);
  const { rows, windows } = estimateWindows(spec, [...sizes.values()]);
  refuseEmptySplits(spec, rows, windows);
  const { lookback, horizon } = spec.window;
  let outputs = cols.targets.length * horizon;
  if (spec.task === 'classify') {
    const t = load(cols.targets[0]!);
    outputs = t.labels ? new Set(Array.from(t.codes!).filter((c) => c >= 0)).size : new Set(Array.from(t.values!).filter((v) => !Number.isNaN(v))).size;
    if (outputs < 2) throw new ServiceError('bad_input', `spec.target: column "${cols.targets[0]}" has only one class; classification needs at least two`, 'spec.target');
  }
  const paramCount = countParams(spec, { lookback, features: cols.features.length, outputs });
  const impl = spec.model.impl === 'layers' || spec.model.bidirectional ? 'tf.layers' : 'fused (when available)';
  return { paramCount, windows, rows, features: cols.features, targets: cols.targets, impl };
}
