// Which configuration trial t of a study trains. Trials are numbered 0..planned−1; trial t is
// configuration floor(t / seeds) with seed index t % seeds (train.seed + index), so a
// configuration's seeds are consecutive trials. Grid and random configurations depend only on
// (space, seed, index): a resumed study samples exactly what the lost host would have. TPE's also
// depend on the trials finished before; its seeds > 0 copy their configuration's first trial.
import type { SearchSpace, StudyFileParsed } from '../study-schemas.js';
import { gridConfig, gridSize } from './grid.js';
import { rngFor, sampleDomain } from './random.js';
import type { Config } from './space.js';
import { startupTrials, tpeConfig, type Observation } from './tpe.js';

export type PlanInput = Pick<StudyFileParsed, 'space' | 'strategy' | 'trials' | 'budgetSeconds' | 'seeds'>;

/** Configurations tried when neither a trial count nor a time budget bounds a random or TPE study. */
export const DEFAULT_CONFIGS = 20;

/** Configurations to try: the file's count, the grid (at most), or none with a time budget only. */
export function plannedConfigs(f: PlanInput): number | null {
  if (f.strategy === 'grid') return Math.min(f.trials ?? Infinity, gridSize(f.space));
  return f.trials ?? (f.budgetSeconds !== undefined ? null : DEFAULT_CONFIGS);
}

export const trialOf = (t: number, seeds: number) => ({ config: Math.floor(t / seeds), seedIndex: t % seeds });

export function randomConfig(space: SearchSpace, seed: number, index: number): Config {
  const rng = rngFor(seed, index);
  return Object.fromEntries(Object.entries(space).map(([p, d]) => [p, sampleDomain(d, rng)]));
}

export interface ProposeInput {
  strategy: StudyFileParsed['strategy'];
  space: SearchSpace;
  seed: number;
  /** Configuration index. */
  index: number;
  plannedConfigs: number | null;
  direction: 'min' | 'max';
  /** TPE: finished trials with a value (one per configuration's first seed is enough). */
  history: readonly Observation[];
  /** Configurations tried first: configuration k < first.length is first[k]. */
  first?: readonly Config[];
}

export function proposeConfig(p: ProposeInput): Config {
  const given = p.first?.[p.index];
  if (given) return given;
  if (p.strategy === 'grid') return gridConfig(p.space, p.index);
  if (p.strategy === 'random') return randomConfig(p.space, p.seed, p.index);
  return tpeConfig(p.space, p.history, {
    seed: p.seed,
    index: p.index,
    direction: p.direction,
    startup: startupTrials(p.plannedConfigs),
  });
}
