// `rnn-workbench tune` (docs/studies.md): the built-in study for one target column, then, with a
// time budget (or --rerank), tune's pick among its best trials by a backtest before the test
// split (core/study/rerank.ts) instead of the single validation ranking the search overfits.
import { ServiceError, setSpecPath, type StudyRow } from '../contract.js';
import type { Service } from '../service.js';
import { deliverCombined, runMs } from '../study/combined-run.js';
import { handBackRerankTime, RERANK_DEFAULTS, rerank, type Selection } from '../study/rerank.js';
import { lookbacksFor, parseBudget, seasonFromSpacing, tuneStudy } from '../study/tune.js';
import { datasetId, must } from './calls.js';
import { followStudy, int, printStudy } from './commands-studies.js';
import { JSON_OPTION, UsageError, type Command, type CommandContext } from './table.js';

/** The share of a time budget kept for re-ranking (about a minute of a 3-minute budget). */
export const RERANK_SHARE = 1 / 3;

/** The season from the target's time spacing (rows of the first series) and the lookbacks the dataset can hold. */
async function seasonAndLookbacks(svc: Service, id: number, base: Record<string, unknown>) {
  const s = await must(svc, 'datasets.series', { id, columns: [String(base.target)], buckets: 10 });
  const idx = s.index;
  const spacing =
    s.time && idx && idx.length > 1 ? (s.time.at(-1)! - s.time[0]!) / Math.max(1, idx.at(-1)! - idx[0]!) : null;
  const season = seasonFromSpacing(spacing);
  const fits: number[] = [];
  for (const lookback of lookbacksFor(season)) {
    const spec = { ...base, window: { ...(base.window as object), lookback } };
    if ((await svc.call('runs.estimate', { datasetId: id, spec })).ok) fits.push(lookback);
  }
  if (!fits.length)
    throw new ServiceError('bad_input', `tune: no lookback of ${lookbacksFor(season).join(', ')} fits this dataset`);
  return { season, lookbacks: fits };
}

/** The study (followed to its end), then the re-ranking within what is left of the budget. */
async function tuneAndPick(
  ctx: CommandContext,
  s: StudyRow,
  o: { top: number; deadline: number | null; searchSeconds: number | null },
): Promise<number> {
  const json = ctx.flag('json');
  if (!json)
    console.error(`study ${s.id} "${s.name}": ${s.plannedTrials ?? 'time-bounded'} trials, ${s.concurrency} at once`);
  // The study's warm trainer stays on for the backtests (a cold one costs more than a fold trains).
  if (o.top > 0) ctx.svc.keepTrainersWarm(1);
  const timed = o.top > 0 && o.deadline !== null && o.searchSeconds !== null;
  const off = timed
    ? handBackRerankTime(ctx.svc, s.id, {
        top: o.top,
        deadline: o.deadline!,
        minSearch: o.searchSeconds!,
        cap: (o.deadline! - Date.now()) / 1000 - o.searchSeconds!,
      })
    : () => undefined;
  let done: StudyRow;
  let selection: Selection | null = null;
  try {
    done = await followStudy(ctx.svc, s.id, json);
    off();
    if (o.top > 0 && done.state === 'completed') {
      // A pick averaged with ETS trains one more run (deliverCombined): the backtests stop that
      // much earlier, timed by the default trial's run, so tune ends within its budget.
      const first = done.trials.find((t) => t.trial === 0);
      const final = o.deadline !== null && first?.runId ? await runMs(ctx.svc, first.runId) : 0;
      const deadline = o.deadline === null ? null : o.deadline - final;
      selection = await rerank(ctx.svc, done, { ...RERANK_DEFAULTS, top: o.top, deadline });
      if (selection) {
        const got = await deliverCombined(ctx.svc, done, selection);
        selection = got.selection;
        if (got.note && !json) console.error(got.note);
      }
    }
  } finally {
    off();
    ctx.svc.keepTrainersWarm(0);
  }
  if (selection) {
    // Stored on the study (`study show`, studies.get, the Studies page show it beside the best by
    // validation, which stays the study's `best`), and the run tagged so `runs --tag` finds it.
    ctx.svc.setStudySelection(done.id, selection);
    const run = await must(ctx.svc, 'runs.get', { id: selection.runId });
    await must(ctx.svc, 'runs.update', { id: selection.runId, tags: [...new Set([...run.tags, 'tune:selected'])] });
    done = await must(ctx.svc, 'studies.get', { id: done.id });
  }
  if (json) console.log(JSON.stringify(done));
  else printStudy(done);
  return done.state === 'completed' || done.state === 'stopped' ? 0 : 1;
}

export const tuneCommand: Command = {
  name: 'tune',
  usage:
    '--dataset <id|name> --target COL [--budget 5m|40 trials] [--epochs N] [--rerank K] [--set key=value ...] [--json]',
  summary: 'find a good model for a column: a TPE study with ASHA pruning over a built-in space',
  details:
    'The space: cell, 1-2 layers of 16-128 units, dropout, lookbacks of 1-4 seasons + 1, learning rate, transform and normalisation. ' +
    'With a time budget a third of it re-ranks the default and the best trials by a backtest before the test split, ' +
    'each alone and averaged with its ETS baseline; a pick with ETS is trained as a run with combine: ets (docs/studies.md).',
  options: {
    dataset: { type: 'string', value: '<id|name>', help: 'the dataset' },
    target: { type: 'string', value: 'COL', help: 'the column to forecast' },
    budget: {
      type: 'string',
      value: '5m|40 trials',
      help: 'a wall-clock budget or a trial count (default: 20 trials)',
    },
    epochs: { type: 'string', value: 'N', help: 'epochs per trial (default 50, early stopping on)' },
    rerank: {
      type: 'string',
      value: 'K',
      help: 'backtest the default and the best K-1 trials, pick by backtest (default 5 with a time budget, else 0: by validation)',
    },
    set: { type: 'string', multiple: true, value: 'key=value', help: 'set a spec field on every trial' },
    concurrency: {
      type: 'string',
      value: 'N',
      help: 'trials at once (default: cores over kernel threads; 1 on a GPU)',
    },
    seed: { type: 'string', value: 'N', help: "the sampler's seed (default 0)" },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  db: 'write',
  async run(ctx) {
    const ds = ctx.string('dataset');
    const target = ctx.string('target');
    if (!ds || !target) throw new UsageError('tune needs --dataset and --target', tuneCommand);
    const id = await datasetId(ctx.svc, ds);
    let budget: ReturnType<typeof parseBudget>;
    try {
      budget = parseBudget(ctx.string('budget') ?? '20 trials');
    } catch (e) {
      throw new UsageError((e as Error).message, tuneCommand);
    }
    const t0 = Date.now();
    const timed = 'budgetSeconds' in budget ? budget.budgetSeconds : null;
    const top = int(ctx, 'rerank', tuneCommand) ?? (timed !== null ? RERANK_DEFAULTS.top : 0);
    const base: Record<string, unknown> = { target };
    for (const s of ctx.strings('set')) setSpecPath(base, s);
    const { season, lookbacks } = await seasonAndLookbacks(ctx.svc, id, base);
    if (!ctx.flag('json'))
      console.error(`season ${season > 1 ? season : 'none found'}: lookbacks ${lookbacks.join(', ')}`);
    const [epochs, concurrency, seed] = ['epochs', 'concurrency', 'seed'].map((n) => int(ctx, n, tuneCommand));
    // The search gets the budget less the re-ranking's share; the re-ranking ends with the budget.
    const search = timed !== null && top > 0 ? { budgetSeconds: Math.max(1, timed * (1 - RERANK_SHARE)) } : budget;
    const file = tuneStudy({ target, season, lookbacks, base, ...search, epochs, concurrency, seed });
    const s = await must(ctx.svc, 'studies.create', { ...file, datasetId: id });
    return tuneAndPick(ctx, s, {
      top,
      deadline: timed !== null ? t0 + timed * 1000 : null,
      searchSeconds: 'budgetSeconds' in search ? search.budgetSeconds : null,
    });
  },
};
