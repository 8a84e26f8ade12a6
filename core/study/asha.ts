// Asynchronous successive halving (ASHA, Li et al. 2018), as a stopping rule: a trial reaching
// rung k (epoch minEpochs·reduction^k) goes on only if its best validation loss so far is among
// the best 1/reduction of every trial that has reached that rung, itself included. Until a rung
// has `reduction` trials only the best of them goes on (the rule Optuna's SuccessiveHalvingPruner
// uses: a trial cannot be paused and promoted later, so it is judged when it arrives).
import type { PruneSpec } from '../study-schemas.js';

/** The epochs at which trials are judged, below the trials' last epoch. */
export function rungEpochs(prune: PruneSpec, maxEpochs: number): number[] {
  if (prune.kind !== 'asha') return [];
  const out: number[] = [];
  for (let e = prune.minEpochs; e < maxEpochs; e *= prune.reduction) out.push(e);
  return out;
}

/**
 * Whether a trial with `value` at a rung goes on, against the values of the other trials that have
 * reached the same rung. Smaller is better unless direction is `max`.
 */
export function promotable(
  value: number,
  others: readonly number[],
  reduction: number,
  direction: 'min' | 'max' = 'min',
): boolean {
  const all = [...others, value].sort((a, b) => (direction === 'min' ? a - b : b - a));
  const k = Math.max(0, Math.floor(all.length / reduction) - 1);
  return direction === 'min' ? value <= all[k]! : value >= all[k]!;
}

/**
 * What ASHA compares at a rung: the objective when it is a per-epoch metric (`val_mae`), else
 * val_loss (a test metric exists only at the end). For the shrunk forecast's MAE (tune's
 * objective) the network's own val_mae: at an early rung most networks have not yet earned a
 * shrinkage factor above 0, so their forecasts are all the reference, tied, and a tie passes the
 * rung (promotable, above), which pruned 3 of 26 trials where the network's own MAE had pruned 34 of 62
 * (gen-level-shift, docs/studies.md). A rung judges how the network learns; the ranking at the
 * end judges the forecast.
 */
export function rungMetric(o: { metric: string; direction: 'min' | 'max' }): { key: string; direction: 'min' | 'max' } {
  if (o.metric === 'val_mae_shrunk') return { key: 'val_mae', direction: 'min' };
  return o.metric.includes('.') ? { key: 'val_loss', direction: 'min' } : { key: o.metric, direction: o.direction };
}
