// tune's choice of its best run (docs/studies.md, "How tune picks its run"). The search ranks
// hundreds of trials by one validation MAE, so the top of that ranking is partly luck: the trial
// that fits the validation rows best (selection bias), which then loses to the default on test.
// Re-ranking: the default-config trial (trial 1) and the best few others by validation are each
// backtested (ordinary rolling-origin backtests, `backtests.create` with `beforeTest`: every fold
// ends before the test split, which nothing here reads), and a trial replaces the default only
// when its mean backtest MAE beats the default's by a margin and a paired test over the folds'
// windows says its errors are lower (paired.ts; the older rule, a win on every fold, where the
// windows' errors are not at hand). The folds fit the ETS baseline too, so every candidate is also
// judged averaged with it, and the default's reference is the default with ETS unless that is
// clearly worse (pick.ts, judge).
// Backtests start while the deadline leaves time for one more (timed by those before it); one
// that runs past the deadline is stopped, and counts by the folds it completed.
import type { BacktestRow } from '../backtest-schemas.js';
import type { RunSpec, StudyRow } from '../contract.js';
import type { Service } from '../service.js';
import type { RerankCandidate, Selection, StudyFileInput, TrialRow } from '../study-schemas.js';
import { judge, withEts, type EtsFolds } from './pick.js';
import { windowErrors, type WindowErrors } from './paired.js';

export interface RerankOptions {
  /** Trials backtested: the default-config trial and the best top−1 others by validation. */
  top: number;
  folds: number;
  /** A challenger replaces the default only with a mean backtest MAE below (1 − margin) × the default's. */
  margin: number;
  /** Epoch ms after which no backtest starts and a running one is stopped; null: none. */
  deadline: number | null;
  /**
   * Each candidate's folds forecast with the candidate trial's own shrinkage factors (`spec.shrinkFrom`,
   * worker/train/shrink-from.ts) instead of factors fitted on the fold's few validation windows,
   * which the evidence bound sets to 0 for many networks (identical backtests). Off by default: the
   * folds then tell candidates apart (gen-intermittent: paired t −0.43 → −10.5), but on the
   * fifteen-series tune bench replayed with both rules on the same trials (`--rerank-from`) the
   * picks were no better on test: 3 wins, 10 ties, 2 losses against 4 / 9 / 2 with the folds' own
   * factors (docs/studies.md, "The trial's shrinkage in the folds").
   */
  trialShrink?: boolean;
}

export const RERANK_DEFAULTS = { top: 5, folds: 3, margin: 0.01, trialShrink: false } as const;

/** A backtested candidate and tune's pick, as stored on the study (core/study-schemas.ts). */
export type Candidate = RerankCandidate;
export type { Selection };
export { beatsDefault, beatsEveryFold, judge, pick, relativeToDefault, withEts } from './pick.js';

/** Trials that compete: completed, or stopped by the end of the search budget (their best checkpoint was evaluated); never pruned ones. */
const ENDED = ['completed', 'stopped'];

/**
 * The default-config trial (trial 0) first, then up to top−1 other configurations better than it on
 * validation, best first, none a near-copy of one taken before it (`nearCopy`, with the study's space).
 */
export function candidatesOf(
  s: Pick<StudyRow, 'trials' | 'objective'> & { file?: { space: Space } },
  top: number,
): TrialRow[] {
  const sign = s.objective.direction === 'max' ? -1 : 1;
  const done = s.trials.filter((t) => ENDED.includes(t.status) && t.value !== null);
  const first = done.find((t) => t.trial === 0);
  const out = first ? [first] : [];
  const better = done
    .filter((t) => t !== first && (!first || sign * t.value! < sign * first.value!))
    .sort((a, b) => sign * (a.value! - b.value!));
  // TPE proposes a configuration again now and then: one backtest per configuration. Trials with the
  // same value to 9 digits give the same forecast (a shrinkage factor of 0 leaves the reference, the
  // same for every network at one lookback and transform): one backtest for them too.
  const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const space = s.file?.space;
  const copyOf = (x: TrialRow, t: TrialRow) =>
    x.configHash === t.configHash || same(x.value!, t.value!) || (!!space && nearCopy(x.params, t.params, space));
  for (const t of better) if (!out.some((x) => copyOf(x, t))) out.push(t);
  return out.slice(0, Math.max(1, top));
}

/** A search space as stored or as written (`log` may be absent: false). */
type Space = StudyFileInput['space'];

/** A near-copy differs by at most this share of a range parameter's span (on its log scale where `log`). */
export const NEAR_SHARE = 0.2;

/**
 * Whether configurations a and b are near-copies: every categorical value equal, every range value
 * within NEAR_SHARE of its range. TPE samples around its best trials, so the top of the validation
 * ranking fills with one configuration at learning rates 0.0053–0.0057 (gen-level-shift, four GRU
 * 128), whose backtests then come out identical (the networks shrunk to the same reference in every
 * fold): the re-ranking's slots go to one model and its luck on test. One of them is backtested
 * (the best on validation) and the slots go to other models.
 */
export function nearCopy(a: Record<string, unknown>, b: Record<string, unknown>, space: Space): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = space[k];
    const x = a[k];
    const y = b[k];
    if (d && !Array.isArray(d) && typeof x === 'number' && typeof y === 'number') {
      const [lo, hi] = 'float' in d ? d.float : d.int;
      const log = d.log === true && lo > 0 && x > 0 && y > 0;
      const span = log ? Math.log(hi / lo) : hi - lo;
      const gap = log ? Math.abs(Math.log(x / y)) : Math.abs(x - y);
      if (gap > NEAR_SHARE * span) return false;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** Seconds each backtest gets besides its folds' training (creating it, starting each fold). */
export const BACKTEST_OVERHEAD_SECONDS = 2;

/**
 * The seconds the re-ranking is expected to take: one backtest per candidate, each `folds`
 * trainings as long as the candidate's own trial (a fold trains the same spec on fewer rows, so
 * this errs long), `trialSeconds` holding the candidates' so far (the default's first), the default's
 * for each candidate still to come (`candidates` counts them all); capped at `cap` (the share of the
 * budget kept for it when nothing is known yet). The whole cap until the default trial has ended:
 * nothing to time a fold by. Timing every candidate by the default's trial kept too little for
 * heavier ones (sm-co2-weekly: a GRU 128 trial took 11.6 s and its folds 15.8 s in all, where
 * the default took 2.3 s and 7.3 s), so the search ran on into time the backtests then lacked.
 */
export function rerankSeconds(o: {
  trialSeconds: readonly number[];
  candidates: number;
  folds: number;
  cap: number;
}): number {
  const first = o.trialSeconds[0];
  if (first === undefined) return o.cap;
  const one = (seconds: number) => o.folds * seconds + BACKTEST_OVERHEAD_SECONDS;
  const n = Math.max(1, o.candidates);
  const known = o.trialSeconds.slice(0, n).reduce((a, t) => a + one(t), 0);
  return Math.min(o.cap, known + Math.max(0, n - o.trialSeconds.length) * one(first));
}

/**
 * A trial's run time in seconds, from the trainer taking it (a fold runs in the warm trainer: no
 * process start) to its end with the test evaluation; null until it has ended.
 */
async function trialSeconds(svc: Service, runId: number): Promise<number | null> {
  const run = await svc.call('runs.get', { id: runId });
  const r = run.ok ? run.value : null;
  return r?.endedAt && r.startedAt ? (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000 : null;
}

/**
 * While the search runs, the time kept for the re-ranking shrinks to what it should take
 * (rerankSeconds: the default trial's duration × the folds, per candidate so far and one more that
 * may still come), and the study's budget grows by what that frees: never below the search's own
 * share, so a slow fold costs at most what it did. Re-ranking that ended early used to leave its
 * unspent seconds idle. Returns the unsubscriber.
 */
export function handBackRerankTime(
  svc: Service,
  id: number,
  o: { top: number; deadline: number; minSearch: number; cap: number },
): () => void {
  let busy = false;
  /** Ended trials' durations by run id: they never change, and every progress event needs them again. */
  const durations = new Map<number, number>();
  const update = async () => {
    const s = await svc.call('studies.get', { id });
    if (!s.ok || s.value.state !== 'running') return;
    // Only a completed default trial's duration is a whole training: until then, the whole share.
    const first = s.value.trials.find((t) => t.trial === 0 && t.status === 'completed');
    const cands = first ? candidatesOf(s.value, o.top) : [];
    const took: number[] = [];
    for (const c of cands) {
      const secs = durations.get(c.runId) ?? (await trialSeconds(svc, c.runId));
      if (secs !== null) {
        durations.set(c.runId, secs);
        took.push(secs);
      } else if (c === cands[0]) break;
    }
    const candidates = Math.min(o.top, cands.length + 1);
    const reserve = rerankSeconds({ trialSeconds: took, candidates, folds: RERANK_DEFAULTS.folds, cap: o.cap });
    // The budget counts the study's own running time: what it has run plus what is left, less the reserve.
    const left = (o.deadline - Date.now()) / 1000;
    svc.setStudyBudget(id, Math.max(o.minSearch, s.value.elapsedSeconds + left - reserve));
  };
  // An event that comes while an update runs is not dropped but runs one more update after it: the
  // event of the first trial's completion could otherwise be lost behind an update that still saw
  // it running, and the budget then never grew (CI: a quiet machine, the study ended at its share).
  let again = false;
  const run = (): void => {
    busy = true;
    again = false;
    void update().finally(() => {
      busy = false;
      if (again) run();
    });
  };
  return svc.on('study:progress', (p) => {
    if (p.studyId !== id) return;
    if (busy) again = true;
    else run();
  });
}

/** Backtests the candidates one after another (the default's first) within the deadline and picks one. */
export async function rerank(svc: Service, s: StudyRow, o: RerankOptions): Promise<Selection | null> {
  const trials = candidatesOf(s, o.top);
  if (!trials.length || s.datasetId === null) return null;
  const cands: Candidate[] = [];
  const spent: number[] = [];
  /** Per candidate (by trial), its completed folds' window errors by cutoff; and averaged with the folds' ETS. */
  const errors = new Map<number, Map<number, WindowErrors>>();
  const ets = new Map<Candidate, EtsFolds>();
  let horizon = 1;
  svc.keepTrainersWarm(1); // (tune holds it from the study on)
  try {
    for (const t of trials) {
      const c: Candidate = {
        trial: t.trial,
        runId: t.runId,
        value: t.value!,
        backtestId: null,
        backtestMae: null,
        folds: 0,
      };
      cands.push(c);
      // Timed by the backtests before it, not by its trial's duration: a trial stopped at the end
      // of the search ran as long as the budget let it, and a fold took 0.35–1.1 of a whole trial
      // (sm-co2-weekly). One that runs past the deadline still counts by its completed folds.
      const mean = spent.reduce((a, b) => a + b, 0) / Math.max(1, spent.length);
      if (o.deadline !== null && Date.now() + mean > o.deadline) {
        c.note = 'not backtested: the budget was spent';
        continue;
      }
      const t0 = Date.now();
      const got = await backtest(svc, s, c, o);
      if (got) {
        errors.set(c.trial, got.errors);
        horizon = got.horizon;
        if (got.ets && c.backtestMae !== null) ets.set(c, got.ets);
      }
      spent.push(Date.now() - t0);
    }
  } finally {
    svc.keepTrainersWarm(0);
  }
  return judge(cands, errors, ets, horizon, o.margin);
}

/**
 * What a candidate's backtest says: its completed folds' MAEs, and their mean where it completed or
 * where it was stopped (at the deadline) or lost a fold after two folds or more: the completed
 * folds still judge it, against the default on the same folds (relativeToDefault, the paired
 * test). A stopped backtest's completed folds used to be dropped whole.
 */
export function backtestOutcome(
  bt: Pick<BacktestRow, 'id' | 'status' | 'summary' | 'foldRuns'>,
): Pick<Candidate, 'backtestMae' | 'folds' | 'foldMaes' | 'note'> {
  const mae = bt.summary['test.mae'];
  const foldMaes = bt.foldRuns.flatMap((f) =>
    f.status === 'completed' && Number.isFinite(f.test['test.mae'])
      ? [{ cutoff: f.cutoff, mae: f.test['test.mae']! }]
      : [],
  );
  const out = { backtestMae: null, folds: mae?.n ?? 0, foldMaes };
  if (bt.status === 'completed' && mae) return { ...out, backtestMae: mae.mean };
  if (mae && foldMaes.length >= 2)
    return {
      ...out,
      backtestMae: mae.mean,
      note: `backtest ${bt.id} ${bt.status} after ${foldMaes.length} of ${bt.foldRuns.length} folds: compared with the default on those`,
    };
  return { ...out, note: `backtest ${bt.id} ${bt.status}` };
}

/** Backtests one candidate (its MAEs go into c); its completed folds' window errors by cutoff, null when it has none. */
async function backtest(
  svc: Service,
  s: StudyRow,
  c: Candidate,
  o: RerankOptions,
): Promise<{
  errors: Map<number, WindowErrors>;
  horizon: number;
  ets: EtsFolds | null;
} | null> {
  const run = await svc.call('runs.get', { id: c.runId });
  if (!run.ok) return ((c.note = run.error.message), null);
  // The trial's spec as trained (the normalisation its probe chose is written into it); with
  // RerankOptions.trialShrink its folds forecast with its shrinkage factors.
  const spec: RunSpec = o.trialShrink ? { ...run.value.spec, shrinkFrom: c.runId } : run.value.spec;
  // The folds fit the ETS baseline too: each candidate is also judged averaged with it (withEts).
  const args = {
    datasetId: s.datasetId!,
    spec,
    name: `${s.name} · trial ${c.trial + 1} backtest`,
    beforeTest: true,
    baselines: 'all' as const,
  };
  let created = await svc.call('backtests.create', { ...args, folds: o.folds });
  // A long lookback may not fit the earliest fold: two folds still compare.
  if (!created.ok && o.folds > 2) created = await svc.call('backtests.create', { ...args, folds: 2 });
  if (!created.ok) return ((c.note = created.error.message), null);
  const id = created.value.id;
  c.backtestId = id;
  const left = o.deadline === null ? null : Math.max(0, o.deadline - Date.now());
  const timer = left === null ? null : setTimeout(() => void svc.call('backtests.stop', { id }), left);
  await svc.waitForBacktest(id);
  if (timer) clearTimeout(timer);
  const got = await svc.call('backtests.get', { id });
  if (!got.ok) return ((c.note = got.error.message), null);
  Object.assign(c, backtestOutcome(got.value));
  // The folds' stored test predictions, window by window, for the paired test; and the same
  // windows forecast by the mean of the network and the fold's ETS baseline.
  const errors = new Map<number, WindowErrors>();
  const ets = new Map<number, WindowErrors>();
  const etsMaes: { cutoff: number; mae: number }[] = [];
  for (const f of got.value.foldRuns) {
    if (f.status !== 'completed' || f.runId === null) continue;
    const p = await svc.call('runs.predictions', { id: f.runId, split: 'test' });
    if (!p.ok || !p.value || p.value.classes) continue;
    errors.set(f.cutoff, windowErrors(p.value));
    const mixed = withEts(p.value);
    if (mixed) {
      const e = windowErrors(mixed);
      ets.set(f.cutoff, e);
      etsMaes.push({ cutoff: f.cutoff, mae: e.error.reduce((a, b) => a + b, 0) / e.error.length });
    }
  }
  // The ETS entry only where every fold the network completed has ETS forecasts (a fold whose ETS
  // fitted no series has none): scored on other folds, it would not compare with the network's.
  const withEtsEntry = etsMaes.length && etsMaes.length === errors.size ? etsMaes : null;
  return { errors, horizon: spec.window.horizon, ets: withEtsEntry ? { errors: ets, foldMaes: withEtsEntry } : null };
}
