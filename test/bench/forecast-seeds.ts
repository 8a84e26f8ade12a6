// `npx tsx test/bench/forecast-seeds.ts A.db B.db [C.db ...]`: forecast-battery runs kept with
// `--keep-db` that differ only in `--set train.seed=…`, combined series by series on their stored
// test predictions (`A.db,A2.db` reads a seed from two files, the second's series replacing the
// first's): each seed's test MAE and the MAE of the mean of all their forecasts (what an
// ensemble over seeds would give), scored as the battery scores the default run (beats naive,
// beats seasonal naive, at most 1.1 × ETS), for the real and the generated series apart.
import { keptMae as mae, readKept as read } from './forecast-kept.js';

const files = process.argv.slice(2);
if (files.length < 2) {
  console.error('usage: npx tsx test/bench/forecast-seeds.ts A.db B.db [C.db ...]');
  process.exit(2);
}
// `A.db,B.db`: one seed's runs from two files, B's series replacing A's (a partial re-run with `--only`).
const dbs = files.map((f) => new Map(f.split(',').flatMap((part) => [...read(part)])));
const labels = [...files.map((_, i) => `seed ${i + 1}`), 'mean'];
type Score = { naive: number; seasonal: number; ets: number; log: number; n: number };
const zero = (): Score => ({ naive: 0, seasonal: 0, ets: 0, log: 0, n: 0 });
const totals = { real: labels.map(zero), generated: labels.map(zero) };
console.log(
  `| series | naive | seasonal | ETS | ${labels.join(' | ')} |\n|---|--:|--:|--:|${labels.map(() => '--:').join('|')}|`,
);
for (const [name, a] of dbs[0]!) {
  const all = dbs.map((d) => d.get(name));
  if (all.some((s) => !s)) continue;
  const mean = a.predicted.map((_, i) => all.reduce((s, x) => s + x!.predicted[i]!, 0) / all.length);
  const naive = mae(a.actual, a.naive);
  const scores = [...all.map((s) => mae(a.actual, s!.predicted)), mae(a.actual, mean)];
  const mark = (v: number) => `${v.toPrecision(4)}${v < naive ? '' : ' ✗'}${v <= 1.1 * a.etsMae ? '' : ' (ets)'}`;
  console.log(
    `| ${name} | ${naive.toPrecision(4)} | ${a.seasonalMae.toPrecision(4)} | ${a.etsMae.toPrecision(4)} | ${scores.map(mark).join(' | ')} |`,
  );
  const t = a.real ? totals.real : totals.generated;
  scores.forEach((v, k) => {
    const s = t[k]!;
    s.n++;
    s.log += Math.log(v / naive);
    if (v < naive) s.naive++;
    if (v < a.seasonalMae) s.seasonal++;
    if (v <= 1.1 * a.etsMae) s.ets++;
  });
}
for (const [scope, t] of Object.entries(totals))
  for (const [k, s] of t.entries())
    console.log(
      `${scope} ${labels[k]}: beats naive ${s.naive}/${s.n}, seasonal ${s.seasonal}/${s.n}, ≤1.1×ETS ${s.ets}/${s.n}, geo-mean model/naive ${Math.exp(s.log / s.n).toFixed(4)}`,
    );
