// `npx tsx test/bench/forecast-combine.ts A.db B.db`: two forecast-battery runs kept with
// `--keep-db` (e.g. the default against `--set normalize=window`), compared series by series on
// their stored test predictions: each one's test MAE against naive, the one a validation choice
// would keep (lower val_mae at the best val_loss epoch), and the mean of the two forecasts.
// This is how docs/benchmarks.md's "Global or window for a level-stationary series" was measured.
import { keptMae as mae, readKept as read } from './forecast-kept.js';

const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error('usage: npx tsx test/bench/forecast-combine.ts A.db B.db');
  process.exit(2);
}
const A = read(fileA);
const B = read(fileB);
const kinds = ['A', 'B', 'chosen', 'mean'] as const;
const totals = { all: new Map<string, { wins: number; log: number; n: number }>(), real: new Map() };
for (const scope of Object.values(totals)) for (const k of kinds) scope.set(k, { wins: 0, log: 0, n: 0 });
console.log('| series | naive | A | B | chosen by val | mean of A and B |\n|---|--:|--:|--:|--:|--:|');
for (const [name, a] of A) {
  const b = B.get(name);
  if (!b) continue;
  const naive = mae(a.actual, a.naive);
  const mean = a.predicted.map((v, i) => (v + b.predicted[i]!) / 2);
  const scores: Record<(typeof kinds)[number], number> = {
    A: mae(a.actual, a.predicted),
    B: mae(a.actual, b.predicted),
    chosen: b.valMae < a.valMae ? mae(a.actual, b.predicted) : mae(a.actual, a.predicted),
    mean: mae(a.actual, mean),
  };
  const cell = (k: (typeof kinds)[number]) => `${scores[k].toPrecision(4)}${scores[k] < naive ? '' : ' ✗'}`;
  console.log(`| ${name} | ${naive.toPrecision(4)} | ${kinds.map(cell).join(' | ')} |`);
  for (const scope of a.real ? [totals.all, totals.real] : [totals.all])
    for (const k of kinds) {
      const t = scope.get(k)!;
      t.n++;
      t.log += Math.log(scores[k] / naive);
      if (scores[k] < naive) t.wins++;
    }
}
for (const [scope, m] of Object.entries(totals))
  console.log(
    `${scope}: ` +
      kinds
        .map((k) => {
          const t = m.get(k)!;
          return `${k} beats naive ${t.wins}/${t.n}, geo-mean model/naive ${Math.exp(t.log / t.n).toFixed(4)}`;
        })
        .join('; '),
  );
