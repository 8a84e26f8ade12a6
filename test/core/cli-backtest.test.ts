// `rnn-workbench backtest` / `backtests` in-process on a real temp database, folds trained in real workers.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestRow } from '../../core/backtest-schemas.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';
import { runCli, type CliResult } from './cli-harness.js';

const t = tempDir();
const db = join(t.dir, 'cli.db');

const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', db]);

afterAll(() => t.cleanup());

describe('cli backtest', () => {
  it('backtests a spec file fold by fold and shows per-fold and mean ± std metrics', async () => {
    expect((await cli('import', sineCsv(t.dir, 300), '--name', 'sine')).code).toBe(0);
    const spec = join(t.dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        ...tinySpec({ train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 } }),
        backtest: { folds: 3, step: 10 },
      }),
    );

    const usage = await cli('backtest', spec);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/needs --dataset/);

    const r = await cli('backtest', spec, '--dataset', 'sine', '--folds', '2', '--step', '20', '--json');
    expect(r.code).toBe(0);
    const b = JSON.parse(r.out) as BacktestRow;
    expect(b.status).toBe('completed');
    expect(b.folds).toBe(2); // --folds overrides the spec's backtest.folds
    expect(b.foldRuns.map((f) => [f.cutoff, f.status])).toEqual([
      [20, 'completed'],
      [0, 'completed'],
    ]);
    expect(b.summary['naive.mae']!.n).toBe(2);

    const shown = await cli('backtests', String(b.id));
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/2\/2 folds completed, step 20 rows/);
    expect(shown.out).toMatch(/^\s*mean\s/m);
    expect(shown.out).toMatch(/ets\.mae/);
    const fold = await cli('show', String(b.foldRuns[0]!.runId));
    expect(fold.out).toMatch(
      new RegExp(`backtest fold: every series cut 20 rows short \\(all folds: rnn-workbench backtests ${b.id}\\)`),
    );
    const list = await cli('backtests');
    expect(list.out).toMatch(/completed\s+2\/2\s+20/);
  }, 120_000);
});
