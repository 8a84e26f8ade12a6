// Backtest commands: `backtest` (create or resume one and follow its folds) and `backtests` (list
// them, or show one: per-fold test metrics and mean ± std for the model and every baseline).
import { readFileSync } from 'node:fs';
import { ServiceError } from '../contract.js';
import type { BacktestRow } from '../backtest-schemas.js';
import type { Service } from '../service.js';
import { datasetId, must, runId } from './calls.js';
import { fmt, table } from './format.js';
import { ProgressLine } from '../progress.js';
import { JSON_OPTION, UsageError, type Command, type CommandContext } from './table.js';

/** Metrics shown per fold and as mean ± std, those the folds have. */
const SHOWN = [
  'test.mae',
  'test.rmse',
  'test.mase',
  'naive.mae',
  'seasonal.mae',
  'ets.mae',
  'naive.mase',
  'seasonal.mase',
  'ets.mase',
  'test.accuracy',
];

export function printBacktest(b: BacktestRow): void {
  const done = b.foldRuns.filter((f) => f.status === 'completed').length;
  console.log(
    `backtest ${b.id} "${b.name}": ${b.status}, ${done}/${b.folds} folds completed, step ${b.step} rows${b.warmStart ? ', warm start' : ''}`,
  );
  const keys = SHOWN.filter((k) => b.summary[k] || b.foldRuns.some((f) => f.test[k] !== undefined));
  console.log(
    table(
      ['fold', 'run', 'status', 'cut', ...keys],
      [
        ...b.foldRuns.map((f) => [
          f.fold + 1,
          f.runId ?? '-',
          f.status ?? 'not started',
          f.cutoff,
          ...keys.map((k) => fmt(f.test[k])),
        ]),
        ['mean', '', '', '', ...keys.map((k) => fmt(b.summary[k]?.mean))],
        ['± std', '', '', '', ...keys.map((k) => fmt(b.summary[k]?.std))],
      ],
    ).replace(/^/gm, '  '),
  );
}

/** The spec and dataset of `<run|spec.json>`: a run's own (the dataset overridable), or a file's with --dataset. */
async function source(ctx: CommandContext, ref: string): Promise<{ spec: Record<string, unknown>; datasetId: number }> {
  const ds = ctx.string('dataset');
  if (/^\d+$/.test(ref)) {
    const run = await must(ctx.svc, 'runs.get', { id: runId(ref) });
    const { cutoff: _c, initFrom: _i, ...spec } = run.spec;
    const id = ds ? await datasetId(ctx.svc, ds) : run.datasetId;
    if (id === null)
      throw new ServiceError('conflict', `run ${run.id}: its dataset was deleted; name one with --dataset`);
    return { spec, datasetId: id };
  }
  if (!ds) throw new UsageError('a backtest of a spec file needs --dataset <id|name>', backtestCommand);
  try {
    return {
      spec: JSON.parse(readFileSync(ref, 'utf8')) as Record<string, unknown>,
      datasetId: await datasetId(ctx.svc, ds),
    };
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw new ServiceError('bad_input', `${ref}: ${(e as Error).message}`);
  }
}

const int = (ctx: CommandContext, name: string): number | undefined => {
  const v = ctx.string(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} expects a whole number, got "${v}"`, backtestCommand);
  return Number(v);
};

/** Logs each fold's start and end on stderr until this host's fold loop ends; Ctrl+C stops the backtest. */
async function followBacktest(svc: Service, id: number, json: boolean): Promise<BacktestRow> {
  const bar = new ProgressLine(process.stderr);
  const off = svc.on('run:status', (e) => {
    if (json) return;
    void svc.call('backtests.get', { id }).then((r) => {
      const f = r.ok ? r.value.foldRuns.find((x) => x.runId === e.runId) : undefined;
      if (f)
        bar.log(`fold ${f.fold + 1}/${r.ok ? r.value.folds : '?'} (run ${e.runId}, cut ${f.cutoff} rows): ${e.status}`);
    });
  });
  const onSigint = () => {
    bar.log(
      'stopping the backtest: the current fold saves and ends (resume with: rnn-workbench backtest --resume ' +
        id +
        ')',
    );
    void svc.call('backtests.stop', { id });
  };
  process.on('SIGINT', onSigint);
  await svc.waitForBacktest(id);
  process.off('SIGINT', onSigint);
  off();
  bar.done();
  return must(svc, 'backtests.get', { id });
}

export const backtestCommand: Command = {
  name: 'backtest',
  usage:
    '<run|spec.json> [--dataset <id|name>] [--folds k] [--step s] [--warm-start] [--name NAME] [--json] | --resume <backtest>',
  summary: 'rolling-origin backtest: k folds, each trained as its own run; mean ± std of test metrics',
  details:
    "Fold i's test split ends step·(k−1−i) rows before each series' end; the last fold is the plain run's split.",
  options: {
    dataset: {
      type: 'string',
      value: '<id|name>',
      help: "the dataset (default: the run's; required with a spec file)",
    },
    folds: { type: 'string', value: 'k', help: "folds (default: the spec's backtest.folds, or 3)" },
    step: {
      type: 'string',
      value: 's',
      help: "rows between fold origins (default: the spec's, or the test split of the shortest series)",
    },
    'warm-start': { type: 'boolean', help: "start each fold from the previous fold's best checkpoint" },
    name: { type: 'string', value: 'NAME', help: 'the backtest name' },
    resume: {
      type: 'string',
      value: '<backtest>',
      help: 'continue a stopped or interrupted backtest at its first unfinished fold',
    },
    ...JSON_OPTION,
  },
  positionals: [0, 1],
  db: 'write',
  async run(ctx) {
    const json = ctx.flag('json');
    const resume = ctx.string('resume');
    let b: BacktestRow;
    if (resume !== undefined) {
      b = await must(ctx.svc, 'backtests.resume', { id: runId(resume) });
    } else {
      const ref = ctx.positionals[0];
      if (!ref)
        throw new UsageError('backtest needs a run id or a spec file (or --resume <backtest>)', backtestCommand);
      const { spec, datasetId: ds } = await source(ctx, ref);
      const folds = int(ctx, 'folds');
      const step = int(ctx, 'step');
      const name = ctx.string('name');
      b = await must(ctx.svc, 'backtests.create', {
        datasetId: ds,
        spec,
        ...(folds !== undefined ? { folds } : {}),
        ...(step !== undefined ? { step } : {}),
        ...(ctx.flag('warm-start') ? { warmStart: true } : {}),
        ...(name ? { name } : {}),
      });
    }
    if (!json) console.error(`backtest ${b.id} "${b.name}": ${b.folds} folds, step ${b.step} rows`);
    const done = await followBacktest(ctx.svc, b.id, json);
    if (json) console.log(JSON.stringify(done));
    else printBacktest(done);
    return done.status === 'completed' || done.status === 'stopped' ? 0 : 1;
  },
};

export const backtestsCommand: Command = {
  name: 'backtests',
  usage: '[<backtest>] [--json]',
  summary: 'list backtests, or show one: per-fold and mean ± std test metrics',
  options: { ...JSON_OPTION },
  positionals: [0, 1],
  db: 'read',
  async run(ctx) {
    const ref = ctx.positionals[0];
    const rows = ref
      ? [await must(ctx.svc, 'backtests.get', { id: runId(ref) })]
      : await must(ctx.svc, 'backtests.list', {});
    if (ctx.flag('json')) console.log(JSON.stringify(ref ? rows[0] : rows));
    else if (!rows.length) console.log('no backtests yet: rnn-workbench backtest <run|spec.json>');
    else if (ref) printBacktest(rows[0]!);
    else
      console.log(
        table(
          ['id', 'name', 'status', 'folds', 'step', 'test.mae', 'naive.mae', 'ets.mae'],
          rows.map((b) => [
            b.id,
            b.name,
            b.status,
            `${b.foldRuns.filter((f) => f.status === 'completed').length}/${b.folds}`,
            b.step,
            ...['test.mae', 'naive.mae', 'ets.mae'].map((k) =>
              b.summary[k] ? `${fmt(b.summary[k].mean)} ± ${fmt(b.summary[k].std)}` : '-',
            ),
          ]),
        ),
      );
    return 0;
  },
};
