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
