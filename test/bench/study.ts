// Study benchmark (issue 12): the same random study (same sampler seed, so the same configurations)
// run twice on a 10,000-row hourly series through the service, once with ASHA pruning and once
// without; wall time, epochs trained and best validation loss of each. Targets: ASHA at least
// 2.5× faster, its best val_loss within 5% of the unpruned study's.
// `--trials N` (default 40), `--epochs N` (default 27: rungs at 1, 3, 9), `--rows N` (10000),
// `--concurrency N` (default: the study default), `--reduction N` (3).
// `--tune [--budget 3m] [--series a,b] [--rows N]`: instead, `tune` with a time budget against the
// default single run (defaultSpec) on ~1,000-row series of the forecast battery: test MAE of each.
// `--series` names generated or real series (forecast-real.ts); `real-long` stands for every real
// series with at least 1,000 rows; `--rows N` keeps each series' last N rows. Each series also
// gets what combining would have delivered (study-mix.ts): the pick's mean with the default, and
// the best passing option of challengers alone or mixed. `--mix-from DIR` prints only that, from
// the databases an earlier `--keep DIR` left; `--rerank-from DIR` runs the re-ranking on them again
// with each rule for the folds' shrinkage (study-rerank.ts).
// The space is wide on purpose (learning rates 1e-4..3e-2, 4..64 units): a real search has bad
// corners. transform none + normalize global keep val_loss comparable between trials.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli.js';
import { createService } from '../../core/service.js';
import { openDb } from '../../db/open.js';
import { defaultSpec, type StudyFileInput, type StudyRow } from '../../core/contract.js';
import { sineCsv, tempDir } from '../helpers.js';
import { generatedSeries, type BenchSeries } from './forecast-series.js';
import { realSeries } from './forecast-real.js';
import type { BenchOptions } from './run.js';
import { RERANK_DEFAULTS, type Selection } from '../../core/study/rerank.js';
import { PAIRED_Z } from '../../core/study/paired.js';
import { etsMixFrom } from './study-ets-mix.js';
import { allMixOf, mixesOf, mixOutcome, type MixOutcome } from './study-mix.js';
import { rerankFrom } from './study-rerank.js';

const flag = (args: string[], name: string, dflt: number | undefined) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

interface Row {
  study: string;
  trials: number;
  pruned: number;
  epochs: number;
  seconds: number;
  /** CPU seconds of the host and its reaped trainers: on a shared machine less noisy than wall time. */
  cpuSeconds: number;
  /** Mean seconds from a trial's creation to its first batch (process start, imports, data preparation). */
  startSeconds: number;
  bestValLoss: number;
}

/** CPU seconds of this process and its waited-for children (Linux /proc; NaN elsewhere). */
function cpuSeconds(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime: fields 14-17 of stat(5), in clock ticks (100 a second on Linux).
    return [11, 12, 13, 14].reduce((a, i) => a + Number(f[i]), 0) / 100;
  } catch {
    return NaN;
  }
}

/** Mean seconds from each trial's creation to its first batch (the trainer's start-up line). */
function meanStart(dbPath: string): number {
  const db = openDb(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.created_at AS created, l.at AS at FROM runs r JOIN run_log l ON l.run_id = r.id
         WHERE r.study_id IS NOT NULL AND l.message LIKE 'start-up: total%'`,
      )
      .all() as { created: string; at: number }[];
    return rows.reduce((a, r) => a + (r.at - Date.parse(r.created)) / 1000, 0) / Math.max(rows.length, 1);
  } finally {
    db.close();
  }
}

async function runStudy(dbPath: string, csv: string, file: StudyFileInput, label: string): Promise<Row> {
  const svc = createService({ dbPath, stopGraceSeconds: 60 });
  const cpu0 = cpuSeconds();
  let row: Omit<Row, 'cpuSeconds' | 'startSeconds'>;
  try {
    const ds = await svc.call('datasets.import', { path: csv, name: label });
    if (!ds.ok) throw new Error(ds.error.message);
    const t0 = performance.now();
    const created = await svc.call('studies.create', { ...file, datasetId: ds.value.id });
    if (!created.ok) throw new Error(created.error.message);
    await svc.waitForStudy(created.value.id);
    const seconds = (performance.now() - t0) / 1000;
    const got = await svc.call('studies.get', { id: created.value.id });
    if (!got.ok) throw new Error(got.error.message);
    const s: StudyRow = got.value;
    if (s.state !== 'completed') throw new Error(`${label}: study ended ${s.state}: ${s.error ?? ''}`);
    row = {
      study: label,
      trials: s.trials.length,
      pruned: s.counts.pruned ?? 0,
      epochs: s.trials.reduce((a, t) => a + t.epochsDone, 0),
      seconds,
      bestValLoss: s.best?.value ?? NaN,
    };
  } finally {
    await svc.close();
  }
  await new Promise((r) => setTimeout(r, 500)); // the warm trainers it killed are reaped
  return { ...row, cpuSeconds: cpuSeconds() - cpu0, startSeconds: meanStart(dbPath) };
}

export async function run(opts: BenchOptions): Promise<void> {
  const from = opts.args.indexOf('--mix-from');
  if (from >= 0) return mixFrom(opts.args[from + 1]!);
  const again = opts.args.indexOf('--rerank-from');
  if (again >= 0) return rerankFrom(opts.args[again + 1]!, !opts.json);
  const etsMix = opts.args.indexOf('--ets-mix-from');
  if (etsMix >= 0) return etsMixFrom(opts.args[etsMix + 1]!);
  if (opts.args.includes('--tune')) return tuneVsDefault(opts);
  const trials = flag(opts.args, '--trials', 40)!;
  const epochs = flag(opts.args, '--epochs', 27)!;
  const rows = flag(opts.args, '--rows', 10_000)!;
  const concurrency = flag(opts.args, '--concurrency', undefined);
  const reduction = flag(opts.args, '--reduction', 3)!;
  const t = tempDir('rnnwb-bench-study-');
  try {
    const csv = sineCsv(t.dir, rows, 'series.csv', 1);
    const file: StudyFileInput = {
      base: {
        target: 'value',
        transform: 'none',
        normalize: 'global',
        train: { epochs, batchSize: 64, patience: 0 },
      },
      space: {
        'model.cell': ['lstm', 'gru'],
        'model.layers.0.units': { int: [4, 64], log: true },
        'train.learningRate': { float: [1e-4, 3e-2], log: true },
        'window.lookback': [12, 24, 48],
      },
      strategy: 'random',
      trials,
      seed: 1,
      ...(concurrency !== undefined ? { concurrency } : {}),
    };
    const asha = await runStudy(
      join(t.dir, 'asha.db'),
      csv,
      { ...file, prune: { kind: 'asha', minEpochs: 1, reduction } },
      'asha',
    );
    const full = await runStudy(join(t.dir, 'full.db'), csv, file, 'no pruning');
    const speedup = full.seconds / asha.seconds;
    const gap = (asha.bestValLoss - full.bestValLoss) / full.bestValLoss;
    if (opts.json) {
      for (const r of [asha, full]) console.log(JSON.stringify({ suite: 'study', ...r, rows, epochsPerTrial: epochs }));
      console.log(JSON.stringify({ suite: 'study', speedup, bestValLossGap: gap }));
      return;
    }
    console.log(`${trials} random trials × ${epochs} epochs on ${rows} rows; load average ${loadavg()[0]!.toFixed(2)}`);
    console.log('study        trials  pruned  epochs  seconds  cpu s  start s  best val_loss');
    for (const r of [asha, full])
      console.log(
        `${r.study.padEnd(12)} ${String(r.trials).padStart(6)}  ${String(r.pruned).padStart(6)}  ${String(r.epochs).padStart(6)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.cpuSeconds.toFixed(0).padStart(5)}  ${r.startSeconds.toFixed(2).padStart(7)}  ${r.bestValLoss.toPrecision(4)}`,
      );
    console.log(
      `ASHA: ${speedup.toFixed(2)}× faster (target ≥ 2.5×; ${(full.cpuSeconds / asha.cpuSeconds).toFixed(2)}× less CPU), best val_loss ${(gap * 100).toFixed(1)}% from the unpruned study's (target within 5%)`,
    );
  } finally {
    t.cleanup();
  }
}

const TUNE_SERIES = ['gen-monthly-1000', 'gen-hourly-daily', 'gen-rw-drift', 'gen-level-shift', 'gen-daily-weekly'];

/**
 * Reads a tune bench database (the default single run first, then tune's study): the default run's
 * test MAE, each backtested challenger's mean with the default and what the combination rules
 * would deliver (null without a selection).
 */
async function mixReport(dbPath: string, print: boolean): Promise<MixRow> {
  const svc = createService({ dbPath, readonly: true });
  try {
    const runs = await svc.call('runs.list', {});
    const single = runs.ok ? runs.value.toSorted((a, b) => a.id - b.id)[0] : undefined;
    const defaultMae = single?.test['test.mae'] ?? NaN;
    const studies = await svc.call('studies.list', {});
    const sel = studies.ok ? studies.value.at(-1)?.selection : null;
    const base = await svc.call('runs.get', { id: sel?.candidates[0]?.runId ?? -1 });
    if (!sel || !base.ok) return { defaultMae, mix: null, allMixed: defaultMae, allMixedGated: defaultMae };
    const mixes = await mixesOf(svc, sel, base.value.spec.window.horizon);
    if (print)
      for (const m of mixes)
        console.log(
          `  trial ${m.trial + 1} with the default: test ${m.testMae.toPrecision(4)} → mixed ${m.mixTestMae.toPrecision(4)}; backtest ${m.backtestMae.toPrecision(4)} → mixed ${m.mixBacktestMae.toPrecision(4)} (default ${m.defaultBacktestMae.toPrecision(4)}), mixed paired t ${m.mixPaired?.t.toFixed(2) ?? '-'}`,
        );
    const all = await allMixOf(svc, sel, base.value.spec.window.horizon);
    if (print && all)
      console.log(
        `  all ${all.candidates} candidates mixed: test ${all.testMae.toPrecision(4)}; backtest ${all.backtestMae.toPrecision(4)} (default ${all.defaultBacktestMae.toPrecision(4)}), paired t ${all.paired?.t.toFixed(2) ?? '-'}`,
      );
    const allPasses =
      !!all &&
      all.backtestMae <= (1 - RERANK_DEFAULTS.margin) * all.defaultBacktestMae &&
      all.paired !== null &&
      all.paired.t <= -PAIRED_Z;
    return {
      defaultMae,
      mix: mixOutcome(sel, mixes, defaultMae, RERANK_DEFAULTS.margin, PAIRED_Z),
      allMixed: all?.testMae ?? defaultMae,
      allMixedGated: allPasses ? all.testMae : defaultMae,
    };
  } finally {
    await svc.close();
  }
}

interface MixRow {
  defaultMae: number;
  mix: MixOutcome | null;
  /** Test MAE of the mean of every backtested candidate, always; and only where its backtest passes the pick rule. */
  allMixed: number;
  allMixedGated: number;
}

function printMixTally(rows: MixRow[]): void {
  const tally = (get: (m: MixOutcome) => number) => {
    const v = rows.map((r) => (r.mix ? get(r.mix) - r.defaultMae : NaN));
    return `${v.filter((d) => d < 0).length} wins, ${v.filter((d) => d === 0).length} ties, ${v.filter((d) => d > 0).length} losses`;
  };
  console.log(`pick mixed with the default: ${tally((m) => m.pickMixed)}`);
  console.log(`best passing option (alone or mixed): ${tally((m) => m.bestOption)}`);
  const count = (v: number[]) =>
    `${v.filter((d) => d < 0).length} wins, ${v.filter((d) => d === 0).length} ties, ${v.filter((d) => d > 0).length} losses`;
  console.log(`all candidates mixed, always: ${count(rows.map((r) => r.allMixed - r.defaultMae))}`);
  console.log(`all candidates mixed where it passes: ${count(rows.map((r) => r.allMixedGated - r.defaultMae))}`);
}

/** `--mix-from DIR`: the combination rules on the databases a `--tune --keep DIR` run left. */
async function mixFrom(dir: string): Promise<void> {
  const rows: MixRow[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.db'))
    .sort()) {
    console.log(f);
    const row = await mixReport(join(dir, f), true);
    rows.push(row);
    if (row.mix)
      console.log(
        `  default ${row.defaultMae.toPrecision(4)}; pick mixed ${row.mix.pickMixed.toPrecision(4)}; best option ${row.mix.bestOption.toPrecision(4)} (${row.mix.bestOptionIs})`,
      );
  }
  printMixTally(rows);
}

/** Header and the last `n` rows of a CSV text. */
function lastRows(csv: string, n: number): string {
  const lines = csv.trimEnd().split('\n');
  return [lines[0], ...lines.slice(1).slice(-n)].join('\n') + '\n';
}

/** The battery's series named (generated or real), `real-long` standing for every real one of 1,000 rows or more. */
function tuneSeries(names: string[]): BenchSeries[] {
  const real = names.some((n) => !n.startsWith('gen-')) ? realSeries() : { series: [], missing: [] };
  for (const m of real.missing) console.log(`left out: ${m}`);
  const long = names.includes('real-long')
    ? real.series.filter((s) => s.csv().trimEnd().split('\n').length - 1 >= 1000).map((s) => s.name)
    : [];
  const wanted = new Set([...names, ...long]);
  return [...generatedSeries(), ...real.series].filter((s) => wanted.has(s.name));
}

/** The CLI in-process with stdout captured (the tune command's season and lookback logic included). */
async function cliJson(args: string[]): Promise<unknown> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    const code = await main(args);
    if (code !== 0) throw new Error(`rnn-workbench ${args.join(' ')} exited ${code}`);
  } finally {
    console.log = log;
  }
  return JSON.parse(out.join('\n')) as unknown;
}

async function tuneVsDefault(opts: BenchOptions): Promise<void> {
  const i = opts.args.indexOf('--budget');
  const budget = i >= 0 ? opts.args[i + 1]! : '3m';
  const j = opts.args.indexOf('--series');
  const names = j >= 0 ? opts.args[j + 1]!.split(',') : TUNE_SERIES;
  const keepRows = flag(opts.args, '--rows', undefined);
  // `--keep DIR`: the series' databases stay in DIR (for reading the trials' stored predictions afterwards).
  const k = opts.args.indexOf('--keep');
  const t = k >= 0 ? { dir: opts.args[k + 1]!, cleanup: () => {} } : tempDir('rnnwb-bench-tune-');
  mkdirSync(t.dir, { recursive: true });
  const rows: {
    series: string;
    defaultMae: number;
    tuneMae: number;
    valBestMae: number;
    trials: number;
    pruned: number;
    /** Failed trials: a `season` neighbour on a series whose season the run did not confirm. */
    failed: number;
    pick: string;
    /** The search's final time budget (tune hands the re-ranking's unneeded share back to it). */
    searchSeconds: number | null;
    mix: MixOutcome | null;
    allMixed: number;
    allMixedGated: number;
  }[] = [];
  try {
    for (const s of tuneSeries(names)) {
      const db = join(t.dir, `${s.name}.db`);
      const csv = join(t.dir, `${s.name}.csv`);
      writeFileSync(csv, keepRows === undefined ? s.csv() : lastRows(s.csv(), keepRows));
      await cliJson(['import', csv, '--name', s.name, '--db', db, '--json']);
      const spec = join(t.dir, `${s.name}.spec.json`);
      writeFileSync(spec, JSON.stringify(defaultSpec(s.target)));
      const single = (await cliJson(['train', '--dataset', s.name, '--spec', spec, '--db', db, '--json'])) as {
        test: Record<string, number>;
      };
      const study = (await cliJson([
        'tune',
        '--dataset',
        s.name,
        '--target',
        s.target,
        '--budget',
        budget,
        '--db',
        db,
        '--json',
      ])) as StudyRow & { selection?: Selection | null };
      // tune's pick: the re-ranked selection when there is one, else the best by validation.
      const sel = study.selection;
      const picked = sel ? study.trials.find((x) => x.trial === sel.trial) : study.best;
      rows.push({
        series: s.name,
        defaultMae: single.test['test.mae'] ?? NaN,
        // A pick averaged with ETS is its own run (Selection.test); else the trial's run.
        tuneMae: sel?.test?.['test.mae'] ?? picked?.test['test.mae'] ?? NaN,
        valBestMae: study.best?.test['test.mae'] ?? NaN,
        trials: study.trials.length,
        pruned: study.counts.pruned ?? 0,
        failed: study.counts.failed ?? 0,
        searchSeconds: study.file.budgetSeconds ?? null,
        pick: sel
          ? `trial ${sel.trial + 1}${sel.combine ? ' with ETS' : ''} (${sel.by}; ${sel.candidates.filter((c) => c.backtestMae !== null && !c.combine).length} backtested) ${JSON.stringify(picked?.params ?? {})}`
          : 'by validation',
        ...(({ mix, allMixed, allMixedGated }) => ({ mix, allMixed, allMixedGated }))(await mixReport(db, !opts.json)),
      });
      const r = rows.at(-1)!;
      if (!opts.json && sel)
        for (const c of sel.candidates) {
          const tr = study.trials.find((x) => x.trial === c.trial);
          console.log(
            `  candidate trial ${c.trial + 1}${c.combine ? ' with ETS' : ''}: val ${c.value.toPrecision(4)}, backtest ${c.backtestMae?.toPrecision(4) ?? c.note ?? '-'}, test ${tr?.test['test.mae']?.toPrecision(4) ?? '-'} ${JSON.stringify(tr?.params ?? {})}`,
          );
        }
      if (opts.json) console.log(JSON.stringify({ suite: 'study-tune', budget, ...r }));
      else
        console.log(
          `${r.series}: default ${r.defaultMae.toPrecision(4)}, tune ${r.tuneMae.toPrecision(4)} (${r.trials} trials, ${r.pruned} pruned, ${r.failed} failed, search ${r.searchSeconds?.toFixed(0) ?? '-'} s; pick ${r.pick}; best by validation ${r.valBestMae.toPrecision(4)}); load average ${loadavg()[0]!.toFixed(2)}`,
        );
    }
    const wins = rows.filter((r) => r.tuneMae < r.defaultMae).length;
    if (!opts.json) {
      console.log(`tune (${budget}) beats the default run's test MAE on ${wins} of ${rows.length} series`);
      printMixTally(rows);
    }
  } finally {
    t.cleanup();
  }
}
