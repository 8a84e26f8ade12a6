// Studies end to end through the CLI, in-process on a real temp database, trials trained in real
// worker processes: a grid study with two seeds per configuration (groups with mean ± std), ASHA
// pruning a trial that cannot learn, `tune` with a trial budget, and a bad study file refused.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Predictions, RunGroup, RunRow, StudyRow } from '../../../core/contract.js';
import type { BacktestRow } from '../../../core/backtest-schemas.js';
import { RERANK_DEFAULTS, relativeToDefault, withEts, type Selection } from '../../../core/study/rerank.js';
import { PAIRED_Z, pairedTest, windowErrors, type WindowErrors } from '../../../core/study/paired.js';
import { sineCsv, tempDir, tinySpec } from '../../helpers.js';
import { runCli, type CliResult } from '../cli-harness.js';

const t = tempDir();
const db = join(t.dir, 'cli.db');

const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', db]);

const studyFile = (name: string, study: Record<string, unknown>): string => {
  const file = join(t.dir, name);
  writeFileSync(file, JSON.stringify(study));
  return file;
};
// shrink off: seeds must give different forecasts for the groups' std (the evidence bound of
// worker/data/shrink.ts may set a 2-epoch network's part to 0, the same forecast for every seed).
const base = tinySpec({ shrink: 'off', train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 } });

afterAll(() => t.cleanup());

describe('cli study', () => {
  it('runs a grid study with two seeds per configuration and groups them with mean ± std', async () => {
    expect((await cli('import', sineCsv(t.dir, 300), '--name', 'sine')).code).toBe(0);
    const file = studyFile('grid.json', { base, space: { 'model.cell': ['lstm', 'gru'] }, strategy: 'grid', seeds: 2 });
    const r = await cli('study', 'create', file, '--dataset', 'sine', '--json');
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as StudyRow;
    expect(s.state).toBe('completed');
    expect(s.plannedTrials).toBe(4);
    expect(s.trials.map((x) => [x.trial, x.status, x.params['model.cell'], x.seed])).toEqual([
      [0, 'completed', 'lstm', 42],
      [1, 'completed', 'lstm', 43],
      [2, 'completed', 'gru', 42],
      [3, 'completed', 'gru', 43],
    ]);
    expect(s.trials[0]!.configHash).toBe(s.trials[1]!.configHash);
    expect(s.trials[0]!.configHash).not.toBe(s.trials[2]!.configHash);
    expect(s.best!.value).toBe(Math.min(...s.trials.map((x) => x.value!)));

    const groups = JSON.parse((await cli('runs', '--group-by', 'all', '--json')).out) as RunGroup[];
    expect(groups.map((g) => [g.key, g.runIds.length])).toEqual([
      [{ 'model.cell': 'lstm' }, 2],
      [{ 'model.cell': 'gru' }, 2],
    ]);
    expect(groups[0]!.metrics['test.mae']!.n).toBe(2);
    expect(groups[0]!.metrics['test.mae']!.std).toBeGreaterThan(0);
    const shown = await cli('study', 'show', String(s.id));
    expect(shown.out).toMatch(/completed, 4\/4 trials ended/);
    expect(shown.out).toMatch(/objective mean ± std/);
    expect(shown.out).toMatch(/test mae: model .* vs naive/);
  });

  it('prunes with ASHA a trial that is worse at the first rung, and keeps it marked pruned', async () => {
    const file = studyFile('asha.json', {
      // 30 epochs: the prune request must reach trial 1 while it still trains (the whole step in
      // wasm trains 4 epochs of this series before the request lands).
      base: { ...base, train: { ...(base.train as object), epochs: 300 } },
      // Same initial weights (seed 42): after one epoch a learning rate of 1e-7 is far behind 0.01.
      space: { 'train.learningRate': [0.01, 1e-7] },
      strategy: 'grid',
      prune: { kind: 'asha', minEpochs: 1, reduction: 2 },
      concurrency: 1,
    });
    const r = await cli('study', 'create', file, '--dataset', 'sine', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as StudyRow;
    // (Which rung each trial reached depends on the epochs: 300 give rungs at 1, 2, 4, … 256.)
    expect(s.trials.map((x) => x.status)).toEqual(['completed', 'pruned']);
    expect(s.trials[1]!.epochsDone).toBeLessThan(300);
    expect(s.best!.trial).toBe(0);
    expect(s.counts).toEqual({ completed: 1, pruned: 1 });
  });

  it('spares the configurations tried first from ASHA (prune.spareFirst): a bad start is trained to the end', async () => {
    expect((await cli('import', sineCsv(t.dir, 300), '--name', 'sine-spare')).code).toBe(0);
    const file = studyFile('spare.json', {
      base: { ...base, train: { ...(base.train as object), epochs: 12 } },
      space: { 'train.learningRate': [0.01, 1e-7] },
      strategy: 'random',
      trials: 2,
      // As in the ASHA test above, 1e-7 is far behind after one epoch: without spareFirst it is pruned.
      first: [{ 'train.learningRate': 0.01 }, { 'train.learningRate': 1e-7 }],
      prune: { kind: 'asha', minEpochs: 1, reduction: 2, spareFirst: true },
      concurrency: 1,
    });
    const r = await cli('study', 'create', file, '--dataset', 'sine-spare', '--json');
    expect(r.err).not.toMatch(/error/);
    const s = JSON.parse(r.out) as StudyRow;
    expect(s.trials.map((x) => [x.params['train.learningRate'], x.status, x.epochsDone])).toEqual([
      [0.01, 'completed', 12],
      [1e-7, 'completed', 12],
    ]);
  });

  it('tune: a TPE study over the built-in space with a trial budget, best run against the baselines', async () => {
    const r = await cli('tune', '--dataset', 'sine', '--target', 'value', '--budget', '2 trials', '--epochs', '2');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/season 24: lookbacks 25, 49, 73/);
    expect(r.out).toMatch(/completed, 2\/2 trials ended/);
    expect(r.out).toMatch(/best: trial \d \(run \d+\), val_mae/);
    expect(r.out).toMatch(/test mae: model [\d.]+ vs naive [\d.]+/);
    const list = JSON.parse((await cli('study', 'list', '--json')).out) as StudyRow[];
    expect(list.map((s) => [s.name, s.state, s.file.strategy])[0]).toEqual(['tune value', 'completed', 'tpe']);
    // The first trial is the defaults, exactly the default single run's (lookback auto).
    expect(list[0]!.trials[0]!.params).toMatchObject({
      'model.cell': 'gru',
      'model.layers.*.units': 64,
      'window.lookback': 'auto',
    });
  });

  it('tune --rerank: backtests the defaults and the best trials before the test split, picks by backtest MAE', async () => {
    expect((await cli('import', sineCsv(t.dir, 600, 'sine600.csv'), '--name', 'sine600')).code).toBe(0);
    const r = await cli(
      ...['tune', '--dataset', 'sine600', '--target', 'value', '--budget', '3 trials', '--epochs', '2'],
      ...['--rerank', '2', '--json'],
    );
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as StudyRow & { selection: Selection };
    const sel = s.selection;
    expect(sel.candidates[0]!.trial).toBe(0); // the defaults, always
    // Each backtested trial's own entry (the network alone), followed by its entry with ETS.
    const backtested = sel.candidates.filter((c) => c.backtestMae !== null && !c.combine);
    expect(backtested.length).toBeGreaterThanOrEqual(1);
    for (const c of backtested) {
      const bt = JSON.parse((await cli('backtests', String(c.backtestId), '--json')).out) as BacktestRow;
      expect(bt.status).toBe('completed');
      expect(c.backtestMae).toBeCloseTo(bt.summary['test.mae']!.mean, 10);
      // The folds fit the ETS baseline: the entry with ETS is scored on their stored forecasts.
      expect(bt.spec.backtest?.baselines ?? 'all').toBe('all');
      expect(bt.summary['ets.mae']?.n).toBe(bt.folds);
      expect(bt.summary['naive.mae']?.n).toBe(bt.folds);
      const withEtsEntry = sel.candidates.find((x) => x.trial === c.trial && x.combine === 'ets')!;
      expect(withEtsEntry.backtestId).toBe(c.backtestId);
      // 600 rows split 70/15/15: the test split is the last 90; every fold is cut at least that
      // much, so no fold trains, validates or is scored on a test row.
      for (const f of bt.foldRuns) {
        const out = (await cli('show', String(f.runId), '--predictions', '--json')).out;
        const run = JSON.parse(out) as RunRow & { predictions: Predictions };
        expect(run.spec.cutoff).toBe(f.cutoff);
        expect(f.cutoff).toBeGreaterThanOrEqual(90);
        // The fold's scored rows (hourly from 2021-01-01) all lie before row 510, the test split's first.
        expect(Math.max(...run.predictions.time)).toBeLessThan(Date.UTC(2021, 0, 1) + 510 * 3_600_000);
      }
    }
    // The paired tests, recomputed from the folds' stored predictions: the default's entry with ETS
    // against the default alone, and every other entry against the reference (the default with
    // ETS unless that t is PAIRED_Z or more).
    const errors = async (backtestId: number, ets: boolean) => {
      const bt = JSON.parse((await cli('backtests', String(backtestId), '--json')).out) as BacktestRow;
      const out = new Map<number, WindowErrors>();
      for (const f of bt.foldRuns) {
        const run = JSON.parse((await cli('show', String(f.runId), '--predictions', '--json')).out) as {
          predictions: Predictions;
        };
        out.set(f.cutoff, windowErrors(ets ? withEts(run.predictions)! : run.predictions));
      }
      return out;
    };
    const [base, baseEts] = sel.candidates;
    expect(base!.paired).toBeUndefined();
    expect(baseEts).toMatchObject({ trial: 0, combine: 'ets', backtestId: base!.backtestId });
    const alone = await errors(base!.backtestId!, false);
    const mixed = await errors(base!.backtestId!, true);
    expect(baseEts!.paired!.t).toBeCloseTo(pairedTest(mixed, alone, 1)!.t, 9);
    const ref = baseEts!.paired!.t < PAIRED_Z ? baseEts! : base!;
    const refErrors = ref === base ? alone : mixed;
    const others = sel.candidates.filter((c) => c.trial !== 0 && c.backtestMae !== null);
    for (const c of others) {
      const again = pairedTest(await errors(c.backtestId!, c.combine === 'ets'), refErrors, 1);
      if (again === null) expect(c.paired).toBeUndefined();
      else expect(c.paired!.t).toBeCloseTo(again.t, 9);
    }
    // The pick is the rule applied to the backtests alone (test metrics are not among its inputs):
    // the reference, or the option furthest below it that passes both tests.
    const passes = others.filter(
      (c) =>
        relativeToDefault(c, ref)! < 1 - RERANK_DEFAULTS.margin && c.paired !== undefined && c.paired.t <= -PAIRED_Z,
    );
    const best = passes.sort((a, b) => relativeToDefault(a, ref)! - relativeToDefault(b, ref)!)[0] ?? ref;
    expect([sel.trial, sel.by, sel.combine]).toEqual([best.trial, best === ref ? 'default' : 'backtest', best.combine]);
    const chosen = JSON.parse((await cli('show', String(sel.runId), '--json')).out) as RunRow;
    expect(chosen.tags).toContain('tune:selected');
    // A pick with ETS is delivered by a run of the trial's spec with combine: ets.
    const trialRun = s.trials.find((x) => x.trial === sel.trial)!.runId;
    if (sel.combine) {
      expect([chosen.spec.combine, chosen.parentId, chosen.status]).toEqual(['ets', trialRun, 'completed']);
      expect(sel.test).toEqual(chosen.test);
    } else expect([chosen.spec.combine, chosen.id]).toEqual(['none', trialRun]);
    // Stored on the study: `study show` (and studies.get) has it beside the best by validation.
    const shown = JSON.parse((await cli('study', 'show', String(s.id), '--json')).out) as StudyRow;
    expect(shown.selection).toEqual(sel);
    const text = (await cli('study', 'show', String(s.id))).out;
    expect(text).toContain('re-ranked by a backtest before the test split');
    expect(text).toMatch(
      new RegExp(
        `selected \\((by backtest|the defaults|by validation)[^)]*\\): trial ${sel.trial + 1} \\(run ${sel.runId}\\)`,
      ),
    );
    // Without --rerank and with a trial budget, tune picks by validation as before: no selection.
    expect(s.best).not.toBeNull();
  }, 300_000); // up to 3 trials and 2 backtests of 3 folds, each run in a fresh trainer

  it('refuses a bad study file naming the path, and a bad budget with the usage', async () => {
    const bad = studyFile('bad.json', { base, space: { 'model.cel': ['lstm'] } });
    const r = await cli('study', 'create', bad, '--dataset', 'sine');
    expect(r.code).toBe(1);
    expect(r.err).toContain('space["model.cel"]: model.cel is not a RunSpec field');
    const tooLong = studyFile('long.json', { base, space: { 'window.lookback': [12, 5000] } });
    expect((await cli('study', 'create', tooLong, '--dataset', 'sine')).err).toMatch(
      /space\["window.lookback"\] = 5000/,
    );
    const b = await cli('tune', '--dataset', 'sine', '--target', 'value', '--budget', 'soon');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--budget expects a duration/);
    expect((await cli('study', 'show', '99')).err).toMatch(/study 99 does not exist/);
  });
});
