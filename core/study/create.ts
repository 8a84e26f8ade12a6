// studies.create: the study file checked against the dataset before anything is stored (the base
// spec trains, every space path is a RunSpec field and every listed value or range end gives a
// valid spec that fits the data), then stored, running, owned by this host.
import { ServiceError, type ParsedArgs, type RunSpec } from '../contract.js';
import { estimateRun } from '../estimate.js';
import * as studiesDb from '../../db/studies.js';
import type { DB } from '../../db/open.js';
import { RunSpecSchema, describeZodError } from '../contract.js';
import { defaultConcurrency } from './concurrency.js';
import { probeGpu } from './gpu.js';
import { applyConfig, checkSpace, isRange, type Config } from './space.js';
import { plannedConfigs } from './strategy.js';
import { objectiveOf } from './view.js';
import { thisHost } from './runner.js';

export function createStudy(db: DB, a: ParsedArgs<'studies.create'>): number {
  const parsed = RunSpecSchema.safeParse(a.base);
  if (!parsed.success) throw new ServiceError('bad_input', describeZodError(parsed.error, 'base').message, 'base');
  const base: RunSpec = parsed.data;
  estimateRun(db, a.datasetId, base); // unknown columns, impossible windows: named before anything is stored
  checkSpace(base, a.space);
  checkFits(db, a.datasetId, base, a.space);
  (a.first ?? []).forEach((c, i) => checkFirst(base, a.space, c, i));
  const planned = plannedConfigs(a);
  if (planned === 0) throw new ServiceError('bad_input', 'the study plans no trials', 'trials');
  const { metric } = objectiveOf(a.objective);
  if (!/^[\w.@-]+$/.test(metric))
    throw new ServiceError('bad_input', `objective "${metric}" is not a metric name`, 'objective');
  return studiesDb.insertStudy(
    db,
    {
      name: a.name ?? `study ${Object.keys(a.space).join(', ')}`.slice(0, 120),
      dataset_id: a.datasetId,
      base: JSON.stringify(a.base),
      space: JSON.stringify(a.space),
      strategy: a.strategy,
      budget_trials: planned,
      budget_seconds: a.budgetSeconds ?? null,
      seeds: a.seeds,
      sampler_seed: a.seed,
      objective: JSON.stringify(a.objective),
      prune: JSON.stringify(a.prune),
      // GPU trials one per device unless the user says how many (core/study/concurrency.ts).
      concurrency:
        a.concurrency ?? defaultConcurrency(undefined, undefined, probeGpu(undefined, base.model.impl === 'layers')),
      first_configs: JSON.stringify(a.first ?? []),
    },
    thisHost(),
  );
}

/** Window paths (lookback, horizon) at their largest must still leave windows in every split of this dataset. */
function checkFits(db: DB, datasetId: number, base: RunSpec, space: ParsedArgs<'studies.create'>['space']): void {
  for (const path of ['window.lookback', 'window.horizon', 'window.stride']) {
    const d = space[path];
    if (!d) continue;
    const values = isRange(d) ? [('int' in d ? d.int : d.float)[1]] : d;
    for (const v of values) {
      try {
        estimateRun(db, datasetId, applyConfig(base, { [path]: v }));
      } catch (e) {
        throw new ServiceError(
          'bad_input',
          `space["${path}"] = ${JSON.stringify(v)}: ${(e as Error).message}`,
          'space',
        );
      }
    }
  }
}

/** A configuration tried first names space paths only and gives a valid spec. */
function checkFirst(base: RunSpec, space: ParsedArgs<'studies.create'>['space'], config: Config, i: number): void {
  for (const p of Object.keys(config))
    if (!(p in space)) throw new ServiceError('bad_input', `first[${i}]: "${p}" is not a path of the space`, 'first');
  try {
    applyConfig(base, config);
  } catch (e) {
    throw new ServiceError('bad_input', `first[${i}]: ${(e as Error).message}`, 'first');
  }
}
