// `npm run bench -- --suite study --rerank-from DIR`: tune's re-ranking run again on the studies a
// `--tune --keep DIR` run left, once with each rule for the folds' shrinkage (the fold's own factors,
// and the trial's: RerankOptions.trialShrink), on a copy of each database so both start from the
// same trials. The same searches judged by two rules: a paired comparison that a second tune run
// (other trials, other luck) could not give. Prints each rule's pick and its test MAE against the
// default run's, and the tally of wins, ties and losses.
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createService } from '../../core/service.js';
import { RERANK_DEFAULTS, rerank } from '../../core/study/rerank.js';
import { tempDir } from '../helpers.js';

interface Outcome {
  trial: number;
  testMae: number;
}

/** Re-ranks the last study of one database copy with one rule; its pick and the pick's test MAE. */
async function rerankCopy(src: string, dir: string, trialShrink: boolean, print: boolean): Promise<Outcome | null> {
  const dbPath = join(dir, `${trialShrink ? 'trial' : 'fold'}-${src.split('/').pop()}`);
  copyFileSync(src, dbPath);
  const svc = createService({ dbPath });
  try {
    const studies = await svc.call('studies.list', {});
    const s = studies.ok ? studies.value.at(-1) : undefined;
    if (!s) return null;
    const sel = await rerank(svc, s, { ...RERANK_DEFAULTS, deadline: null, trialShrink });
    if (!sel) return null;
    const test = async (runId: number) => {
      const r = await svc.call('runs.get', { id: runId });
      return r.ok ? (r.value.test['test.mae'] ?? NaN) : NaN;
    };
    if (print)
      for (const c of sel.candidates)
        console.log(
          `    ${trialShrink ? 'trial' : 'fold '} shrink: trial ${c.trial + 1} backtest ${c.backtestMae?.toPrecision(4) ?? c.note ?? '-'}, paired t ${c.paired?.t.toFixed(2) ?? '-'}, test ${(await test(c.runId)).toPrecision(4)}`,
        );
    return { trial: sel.trial, testMae: await test(sel.runId) };
  } finally {
    await svc.close();
  }
}

/** The default single run's test MAE: the first run of a tune bench database. */
async function defaultMae(dbPath: string): Promise<number> {
  const svc = createService({ dbPath, readonly: true });
  try {
    const runs = await svc.call('runs.list', {});
    return (runs.ok ? runs.value.toSorted((a, b) => a.id - b.id)[0]?.test['test.mae'] : undefined) ?? NaN;
  } finally {
    await svc.close();
  }
}

export async function rerankFrom(dir: string, print: boolean): Promise<void> {
  const t = tempDir('rnnwb-bench-rerank-');
  const tally = { fold: [0, 0, 0], trial: [0, 0, 0] };
  const count = (k: 'fold' | 'trial', o: Outcome | null, d: number) => {
    const x = o ? o.testMae : d;
    tally[k][x < d ? 0 : x === d ? 1 : 2]!++;
  };
  try {
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.db'))
      .sort()) {
      const src = join(dir, f);
      const d = await defaultMae(src);
      console.log(`${f}: default ${d.toPrecision(4)}`);
      const fold = await rerankCopy(src, t.dir, false, print);
      const trial = await rerankCopy(src, t.dir, true, print);
      count('fold', fold, d);
      count('trial', trial, d);
      const show = (o: Outcome | null) => (o ? `trial ${o.trial + 1}, test ${o.testMae.toPrecision(4)}` : '-');
      console.log(`  fold's own shrinkage: ${show(fold)}; the trial's: ${show(trial)}`);
    }
    const line = (v: number[]) => `${v[0]} wins, ${v[1]} ties, ${v[2]} losses`;
    console.log(`folds with their own shrinkage: ${line(tally.fold)}`);
    console.log(`folds with the trial's shrinkage: ${line(tally.trial)}`);
  } finally {
    t.cleanup();
  }
}
