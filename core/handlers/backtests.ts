// backtests.*: create a rolling-origin backtest and drive its folds (core/backtest.ts), list and
// show backtests with their per-fold and mean ± std test metrics, stop one, resume one at the
// first fold not completed.
import { ServiceError, type RunSpec } from '../contract.js';
import type { BacktestRow } from '../backtest-schemas.js';
import { BacktestDriver, backtestRow, type Subscribe, type TrainingHandlers } from '../backtest.js';
import { defaultStep, foldCutoffs, foldSpec, testRows } from '../backtest-rules.js';
import { estimateRun, seriesSizes } from '../estimate.js';
import { columnLoader, datasetInfo } from '../datasets.js';
import { resolveColumns } from '../spec-rules.js';
import * as btDb from '../../db/backtests.js';
import * as runsDb from '../../db/runs.js';
import type { Handler, Handlers, ServiceContext } from './context.js';

type BacktestMethod = 'backtests.create' | 'backtests.list' | 'backtests.get' | 'backtests.stop' | 'backtests.resume';

export function backtestHandlers(
  ctx: ServiceContext,
  training: TrainingHandlers,
  onStatus: Subscribe,
): { handlers: Handlers<BacktestMethod>; driver: BacktestDriver } {
  const { db } = ctx;
  const driver = new BacktestDriver(ctx, training, onStatus);
  const row = (id: number): BacktestRow => {
    const bt = btDb.getBacktest(db, id);
    if (!bt) throw new ServiceError('not_found', `backtest ${id} does not exist`, 'id');
    return backtestRow(ctx, bt, driver.driving(id));
  };
  const handlers: Handlers<BacktestMethod> = {
    'backtests.create': (a) => {
      const id = createBacktest(ctx, a);
      driver.drive(id);
      return row(id);
    },
    'backtests.list': () => btDb.listBacktests(db).map((bt) => backtestRow(ctx, bt, driver.driving(bt.id))),
    'backtests.get': ({ id }) => row(id),
    'backtests.stop': async ({ id }) => {
      row(id);
      btDb.setStopRequested(db, id, true);
      for (const f of btDb.foldRuns(db, id))
        if (f.status === 'queued' || f.status === 'running') await training['runs.stop']({ id: f.run_id });
      return row(id);
    },
    'backtests.resume': async ({ id }) => {
      const bt = row(id);
      if (bt.status === 'running' || bt.status === 'completed')
        throw new ServiceError(
          'conflict',
          `backtest ${id} is ${bt.status}; only a stopped, failed or interrupted backtest can be resumed`,
          'id',
        );
      if (bt.datasetId === null)
        throw new ServiceError('conflict', `backtest ${id}: its dataset was deleted, so it cannot resume`, 'id');
      btDb.setStopRequested(db, id, false);
      // The fold that ended early continues from its last checkpoint; the folds after it start fresh.
      const open = bt.foldRuns.find((f) => f.runId !== null && f.status !== 'completed');
      if (open && runsDb.RESUMABLE.includes(open.status as runsDb.RunStatusValue))
        await training['runs.resume']({ id: open.runId! });
      driver.drive(id);
      return row(id);
    },
  };
  return { handlers, driver };
}

/** Checks every fold's spec against the dataset before anything is stored, then stores the backtest. */
function createBacktest(ctx: ServiceContext, a: Parameters<Handler<'backtests.create'>>[0]): number {
  const spec: RunSpec = a.spec;
  const folds = a.folds ?? spec.backtest?.folds ?? 3;
  const warmStart = a.warmStart ?? spec.backtest?.warmStart ?? false;
  const beforeTest = a.beforeTest ?? spec.backtest?.beforeTest ?? false;
  const baselines = a.baselines ?? spec.backtest?.baselines ?? 'all';
  estimateRun(ctx.db, a.datasetId, foldSpec(spec, 0)); // the spec itself must train (named errors) before the folds are checked
  const rows = seriesRowCounts(ctx, a.datasetId, spec);
  // Before the test split: every fold is cut by the longest series' test rows first, and the
  // default step is the test split of what is left.
  const origin = beforeTest ? testRows(spec, rows) : 0;
  const step =
    a.step ??
    spec.backtest?.step ??
    defaultStep(
      spec,
      rows.map((n) => n - origin),
    );
  for (const cutoff of foldCutoffs(folds, step, origin)) {
    try {
      estimateRun(ctx.db, a.datasetId, foldSpec(spec, cutoff));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new ServiceError(
        'bad_input',
        `backtest: the earliest fold (each series cut ${cutoff} rows short, ${folds} folds × step ${step}${origin ? ` before the test split's ${origin} rows` : ''}) cannot train: ${msg}; use fewer folds or a smaller step`,
        'step',
      );
    }
  }
  const { cutoff: _cutoff, ...rest } = spec;
  const stored = {
    ...rest,
    ...(beforeTest ? { cutoff: origin } : {}),
    backtest: {
      folds,
      step,
      warmStart,
      ...(beforeTest ? { beforeTest } : {}),
      ...(baselines === 'naive' ? { baselines } : {}),
    },
  };
  const name =
    a.name ??
    `backtest ${spec.model.cell} ${spec.model.layers.map((l) => l.units).join('x')} lb${spec.window.lookback}`;
  return btDb.insertBacktest(ctx.db, {
    name,
    datasetId: a.datasetId,
    spec: JSON.stringify(stored),
    folds,
    step,
    warmStart,
  });
}

function seriesRowCounts(ctx: ServiceContext, datasetId: number, spec: RunSpec): number[] {
  const info = datasetInfo(ctx.db, datasetId)!;
  const { series } = resolveColumns(spec, info);
  return [...seriesSizes(info.rowCount, series ? columnLoader(ctx.db, datasetId)(series) : null).values()];
}
