// `spec.shrinkFrom`: a backtest fold of tune's re-ranking (with `trialShrink`) forecasts its test windows with the
// shrinkage factors of the trial it judges (core/study/rerank.ts) instead of its own. A fold trains
// on the rows before its cutoff and fits its factors on a validation split of a few dozen windows,
// where the evidence bound (data/shrink.ts, SHRINK_Z) sets them to 0 for most networks: every
// candidate's fold forecast is then the reference, their backtests are identical, and the
// re-ranking cannot tell a network that forecasts 21% better on test (gen-intermittent) from the
// default. With the trial's own factors the fold judges the network as the trial blends it.
// Measured, and not tune's default (RerankOptions.trialShrink, docs/studies.md): the folds then tell
// candidates apart, but the picks were no better on test.
import { ServiceError } from '../../core/contract.js';
import { loadCheckpoint } from '../../db/checkpoints.js';
import { loadMembers } from '../../db/members.js';
import type { DB } from '../../db/open.js';
import type { ShrinkRecord } from '../data/shrink.js';
import type { Preprocessing } from './preprocessing.js';

export interface BorrowedShrink {
  /** The run's own network's factors: the source run's where they fit (same outputs), else its own. */
  own: ShrinkRecord | null;
  /** Each member's (in member order), likewise. */
  members: (ShrinkRecord | null)[];
  /** One line for the run log: whose factors the test forecast uses. */
  note: string;
}

/** Fails a run whose `shrinkFrom` names a run without a best checkpoint, before it trains. */
export function checkShrinkSource(db: DB, fromRun: number): void {
  if (!loadCheckpoint(db, fromRun, 'best'))
    throw new ServiceError(
      'conflict',
      `spec.shrinkFrom: run ${fromRun} has no best checkpoint whose shrinkage factors this run could use`,
      'spec.shrinkFrom',
    );
}

/**
 * The factors the test forecast uses: run `fromRun`'s, network by network (its best checkpoint's for
 * the run's own network, member k's for member k), where that network had factors for the same
 * number of outputs; the fold's own otherwise (a spec that differs in horizon or targets, or a
 * member the source run lacks), said in the note.
 */
export function borrowShrink(
  db: DB,
  fromRun: number,
  own: ShrinkRecord | null,
  members: readonly (ShrinkRecord | null)[],
): BorrowedShrink {
  const best = loadCheckpoint(db, fromRun, 'best');
  const srcOwn = best ? ((JSON.parse(best.preprocessing) as Preprocessing).shrink ?? null) : null;
  const stored = loadMembers(db, fromRun);
  const srcMember = (k: number) => {
    const row = stored.find((r) => r.member === k);
    return row ? ((JSON.parse(row.preprocessing) as { shrink?: ShrinkRecord }).shrink ?? null) : null;
  };
  const kept: string[] = [];
  const take = (mine: ShrinkRecord | null, theirs: ShrinkRecord | null, what: string): ShrinkRecord | null => {
    if (mine && theirs && theirs.alpha.length === mine.alpha.length) return theirs;
    if (mine) kept.push(what);
    return mine;
  };
  const out = {
    own: take(own, srcOwn, 'the network'),
    members: members.map((m, i) => take(m, srcMember(i + 1), `member ${i + 1}`)),
  };
  const factors = (r: ShrinkRecord | null) => (r ? r.alpha.map((a) => a.toFixed(3)).join(', ') : 'none');
  const used = [out.own, ...out.members].map(factors).join('; ');
  const note =
    `test forecast with the shrinkage factors of run ${fromRun} (spec.shrinkFrom): ${used}` +
    (kept.length ? `; its own for ${kept.join(', ')} (run ${fromRun} has none for as many outputs)` : '');
  return { ...out, note };
}
