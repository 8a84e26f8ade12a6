// `npm run bench -- --suite study --ets-mix-from DIR`: would the equal-weight mean of the default
// run's forecast and its own ETS baseline's beat the default, and would a backtest have said so?
// On a copy of each database a `--tune --keep DIR` run left, the default trial's spec is backtested
// as tune's re-ranking does (3 folds before the test split), but with every baseline, so that each
// fold also stores the ETS forecast fitted on that fold's train and validation rows. Printed per
// series: the mean's backtest MAE against the model's, the paired test of the mean against the
// model over the folds' windows (core/study/paired.ts, tune's rule), and the same two on the test
// split from the default run's stored predictions; then the tallies, always and where the rule passes.
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createService } from '../../core/service.js';
import { PAIRED_Z, pairedTest, windowErrors, type WindowErrors } from '../../core/study/paired.js';
import { RERANK_DEFAULTS, withEts } from '../../core/study/rerank.js';
import { tempDir } from '../helpers.js';
import { maeOf, testPreds } from './study-mix.js';

interface Row {
  series: string;
  defaultTest: number;
  mixTest: number;
  defaultBacktest: number;
  mixBacktest: number;
  t: number | null;
}

async function one(src: string, dir: string): Promise<Row | null> {
  const dbPath = join(dir, src.split('/').pop()!);
  copyFileSync(src, dbPath);
  const svc = createService({ dbPath });
  try {
    const runs = await svc.call('runs.list', {});
    if (!runs.ok) return null;
    const single = runs.value.toSorted((a, b) => a.id - b.id)[0];
    const studies = await svc.call('studies.list', {});
    const s = studies.ok ? studies.value.at(-1) : undefined;
    const trial0 = s?.trials.find((t) => t.trial === 0);
    if (!single || !s || !trial0?.runId) return null;
    const run = await svc.call('runs.get', { id: trial0.runId });
    const test = await testPreds(svc, single.id);
    const testMix = test && withEts(test);
    if (!run.ok || !test || !testMix) return null;
    const args = {
      datasetId: s.datasetId!,
      spec: run.value.spec,
      name: 'default with ETS backtest',
      beforeTest: true,
      baselines: 'all' as const,
    };
    let created = await svc.call('backtests.create', { ...args, folds: RERANK_DEFAULTS.folds });
    if (!created.ok) created = await svc.call('backtests.create', { ...args, folds: 2 });
    if (!created.ok) return null;
    await svc.waitForBacktest(created.value.id);
    const bt = await svc.call('backtests.get', { id: created.value.id });
    if (!bt.ok) return null;
    const own = new Map<number, WindowErrors>();
    const mix = new Map<number, WindowErrors>();
    const ownMae: number[] = [];
    const mixMae: number[] = [];
    for (const f of bt.value.foldRuns) {
      if (f.status !== 'completed' || f.runId === null) continue;
      const p = await testPreds(svc, f.runId);
      const m = p && withEts(p);
      if (!p || !m) continue;
      own.set(f.cutoff, windowErrors(p));
      mix.set(f.cutoff, windowErrors(m));
      ownMae.push(maeOf(p));
      mixMae.push(maeOf(m));
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const paired = pairedTest(mix, own, run.value.spec.window.horizon);
    return {
      series: src.split('/').pop()!.replace(/\.db$/, ''),
      defaultTest: maeOf(test),
      mixTest: maeOf(testMix),
      defaultBacktest: avg(ownMae),
      mixBacktest: avg(mixMae),
      t: paired?.t ?? null,
    };
  } finally {
    await svc.close();
  }
}

export async function etsMixFrom(dir: string): Promise<void> {
  const t = tempDir('rnnwb-bench-ets-mix-');
  const always = [0, 0, 0];
  const gated = [0, 0, 0];
  const count = (v: number[], x: number, d: number) => v[x < d ? 0 : x === d ? 1 : 2]!++;
  try {
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.db'))
      .sort()) {
      const r = await one(join(dir, f), t.dir);
      if (!r) {
        console.log(`${f}: no default run, study or ETS forecast`);
        continue;
      }
      const passes =
        r.t !== null && r.t <= -PAIRED_Z && r.mixBacktest <= (1 - RERANK_DEFAULTS.margin) * r.defaultBacktest;
      count(always, r.mixTest, r.defaultTest);
      count(gated, passes ? r.mixTest : r.defaultTest, r.defaultTest);
      console.log(
        `${r.series}: test ${r.defaultTest.toPrecision(4)} → with ETS ${r.mixTest.toPrecision(4)} (${(r.mixTest / r.defaultTest).toFixed(3)}); backtest ${r.defaultBacktest.toPrecision(4)} → ${r.mixBacktest.toPrecision(4)} (${(r.mixBacktest / r.defaultBacktest).toFixed(3)}), paired t ${r.t?.toFixed(2) ?? '-'}${passes ? ', passes' : ''}`,
      );
    }
    const line = (v: number[]) => `${v[0]} wins, ${v[1]} ties, ${v[2]} losses`;
    console.log(`the default with its ETS baseline, always: ${line(always)}`);
    console.log(`the default with its ETS baseline where the backtest passes tune's rule: ${line(gated)}`);
  } finally {
    t.cleanup();
  }
}
