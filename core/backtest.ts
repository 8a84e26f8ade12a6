// Runs a backtest's folds one after another in this host: each fold is an ordinary run (created
// through runs.create, so it trains in its own worker process like any run), attached to the
// backtest as fold i. The next fold starts when the previous one has completed and its worker has
// exited; a stop (backtests.stop, or the fold run stopped directly) ends the loop, and
// backtests.resume restarts it at the first fold not completed. What a fold stores is its run's.
import { parseSpec, type EventMap, type RunStatus } from './contract.js';
import type { BacktestRow } from './backtest-schemas.js';
import { aggregateFolds, backtestOrigin, backtestStatus, foldCutoffs, foldSpec } from './backtest-rules.js';
import type { Handlers, ServiceContext } from './handlers/context.js';
import * as btDb from '../db/backtests.js';
import { LoopSet } from './loops.js';
import * as runsDb from '../db/runs.js';

export type TrainingHandlers = Handlers<'runs.create' | 'runs.stop' | 'runs.resume'>;
export type Subscribe = (listener: (e: EventMap['run:status']) => void) => () => void;

const ENDED: readonly RunStatus[] = ['completed', 'failed', 'stopped', 'interrupted'];
const POLL_MS = 1000;

export class BacktestDriver {
  private readonly loops = new LoopSet();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly training: TrainingHandlers,
    private readonly onStatus: Subscribe,
  ) {}

  /** Starts the fold loop unless this host already runs it. */
  drive(id: number): void {
    this.loops.start(
      id,
      () => this.loop(id),
      (e) => console.error(`backtest ${id}: ${e.message}`),
    );
  }

  driving(id: number): boolean {
    return this.loops.has(id);
  }

  /** Resolves when this host's fold loop for the backtest has ended (at once when there is none). */
  wait(id: number): Promise<void> {
    return this.loops.wait(id);
  }

  close(): void {
    this.loops.closed = true;
  }

  private async loop(id: number): Promise<void> {
    for (;;) {
      if (this.loops.closed) return;
      const bt = btDb.getBacktest(this.ctx.db, id);
      if (!bt || bt.stop_requested || bt.dataset_id === null) return;
      const runs = btDb.foldRuns(this.ctx.db, id);
      const fold = Array.from({ length: bt.folds }, (_, i) => i).find(
        (i) => runs.find((r) => r.fold === i)?.status !== 'completed',
      );
      if (fold === undefined) return;
      const existing = runs.find((r) => r.fold === fold);
      if (existing && ENDED.includes(existing.status)) return; // a fold that did not complete ends the loop; resume restarts it
      const runId = existing
        ? existing.run_id
        : await this.startFold(bt, fold, runs.find((r) => r.fold === fold - 1)?.run_id);
      await this.untilEnded(runId);
      await this.ctx.jobs.trainer(runId)?.exited; // one fold's worker at a time
      if (btDb.foldRuns(this.ctx.db, id).find((r) => r.fold === fold)?.status !== 'completed') return;
    }
  }

  private async startFold(bt: btDb.BacktestRecord, fold: number, previous: number | undefined): Promise<number> {
    const base = parseSpec(JSON.parse(bt.spec));
    const cutoff = foldCutoffs(bt.folds, bt.step, backtestOrigin(base))[fold]!;
    const spec = {
      ...foldSpec(base, cutoff),
      ...(bt.warm_start && previous !== undefined ? { initFrom: previous } : {}),
    };
    const run = await this.training['runs.create']({
      datasetId: bt.dataset_id!,
      spec,
      name: `${bt.name} · fold ${fold + 1}/${bt.folds}`,
      tags: [`backtest:${bt.id}`],
    });
    btDb.attachFold(this.ctx.db, run.id, bt.id, fold);
    return run.id;
  }

  /** Resolves once the run has ended: its status event, or the database (a trainer of another host, a missed event). */
  private untilEnded(runId: number): Promise<void> {
    return new Promise((resolve) => {
      const ended = () => {
        const s = runsDb.getRun(this.ctx.db, runId)?.status;
        return this.loops.closed || !s || ENDED.includes(s);
      };
      const finish = () => {
        off();
        clearInterval(timer);
        resolve();
      };
      const off = this.onStatus((e) => {
        if (e.runId === runId && ENDED.includes(e.status)) finish();
      });
      const timer = setInterval(() => ended() && finish(), POLL_MS);
      if (ended()) finish();
    });
  }
}

/** The contract's view of a backtest: its folds (created or not yet), its status and mean ± std over completed folds. */
export function backtestRow(ctx: ServiceContext, bt: btDb.BacktestRecord, driving: boolean): BacktestRow {
  const runs = btDb.foldRuns(ctx.db, bt.id);
  const spec = parseSpec(JSON.parse(bt.spec));
  const cutoffs = foldCutoffs(bt.folds, bt.step, backtestOrigin(spec));
  const foldRuns = cutoffs.map((cutoff, fold) => {
    const r = runs.find((x) => x.fold === fold);
    return {
      fold,
      cutoff,
      runId: r?.run_id ?? null,
      status: r?.status ?? null,
      test: r ? (JSON.parse(r.test_metrics) as Record<string, number>) : {},
    };
  });
  return {
    id: bt.id,
    name: bt.name,
    datasetId: bt.dataset_id,
    spec,
    folds: bt.folds,
    step: bt.step,
    warmStart: bt.warm_start === 1,
    status: backtestStatus(bt.folds, runs, driving, bt.stop_requested === 1),
    createdAt: bt.created_at,
    foldRuns,
    summary: aggregateFolds(foldRuns.filter((f) => f.status === 'completed').map((f) => f.test)),
  };
}
