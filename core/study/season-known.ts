// A configuration tried first that season-normalises (tune's `season` neighbours, core/study/tune.ts)
// fails at once on a series whose season the trainer does not confirm: bad_input, "season
// normalisation needs a season within the lookback". tune cannot know the season beforehand (the
// trainer infers it from the train split, worker/data/seasonality.ts, which core does not import),
// and those failed trials filled slots of a `--budget 40 trials` study and showed as failed runs.
// But the study's first trial has the same data: once it has a checkpoint, its stored preparation
// says which season the trainer found and which lookback `auto` gave. The runner then proposes
// such a configuration's trial from the strategy instead (runner.ts, configFor).
import { loadCheckpoint } from '../../db/checkpoints.js';
import type { DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { parseSpec, type RunSpec } from '../contract.js';

/** What trial 0's trainer found: the season and its lookback (null until it has a checkpoint). */
export interface KnownSeason {
  season: number;
  lookback: number;
  spec: RunSpec;
}

export function knownSeason(db: DB, runId: number | undefined): KnownSeason | null {
  if (runId === undefined) return null;
  const run = runsDb.getRun(db, runId);
  const cp = loadCheckpoint(db, runId, 'best');
  if (!run || !cp) return null;
  const p = JSON.parse(cp.preprocessing) as { seasonLength?: number; lookback?: number };
  if (typeof p.seasonLength !== 'number' || typeof p.lookback !== 'number') return null;
  return { season: p.seasonLength, lookback: p.lookback, spec: parseSpec(JSON.parse(run.spec)) };
}

/** The spec fields the season depends on: the series read, its split (the train split confirms it) and the spec's own. */
const seasonInputs = (s: RunSpec) =>
  JSON.stringify([s.task, s.target, s.time, s.series, s.split, s.seasonLength, s.cutoff, s.missing]);

/**
 * Whether `spec` asks for season normalisation that the known season rules out: same data and
 * split as trial 0, whose trainer found no season, or one not shorter than the lookback (`auto`:
 * trial 0's where trial 0's was `auto` too).
 */
export function seasonRuledOut(spec: RunSpec, known: KnownSeason | null): boolean {
  if (spec.normalize !== 'season' || !known || seasonInputs(spec) !== seasonInputs(known.spec)) return false;
  const lookback =
    spec.window.lookback !== 'auto'
      ? spec.window.lookback
      : known.spec.window.lookback === 'auto'
        ? known.lookback
        : null;
  return known.season <= 1 || (lookback !== null && lookback <= known.season);
}
