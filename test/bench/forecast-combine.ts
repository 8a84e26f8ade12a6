// `npx tsx test/bench/forecast-combine.ts A.db B.db`: two forecast-battery runs kept with
// `--keep-db` (e.g. the default against `--set normalize=window`), compared series by series on
// their stored test predictions: each one's test MAE against naive, the one a validation choice
// would keep (lower val_mae at the best val_loss epoch), and the mean of the two forecasts.
// This is how docs/benchmarks.md's "Global or window for a level-stationary series" was measured.
import Database from 'better-sqlite3';

interface Series {
  actual: Float64Array;
  predicted: Float64Array;
  naive: Float64Array;
  valMae: number;
  real: boolean;
}

const f64 = (b: Buffer) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);

function read(file: string): Map<string, Series> {
  const db = new Database(file, { readonly: true });
  const rows = db
    .prepare(
      `SELECT d.name, r.id, p.actual, p.predicted, p.naive FROM runs r JOIN datasets d ON d.id = r.dataset_id
       JOIN predictions p ON p.run_id = r.id WHERE p.split = 'test'`,
    )
    .all() as { name: string; id: number; actual: Buffer; predicted: Buffer; naive: Buffer }[];
  const val = db.prepare(
    `SELECT v.value AS mae FROM metrics l JOIN metrics v ON v.run_id = l.run_id AND v.epoch = l.epoch AND v.key = 'val_mae'
     WHERE l.run_id = ? AND l.key = 'val_loss' ORDER BY l.value, l.epoch LIMIT 1`,
  );
  const out = new Map<string, Series>();
  for (const r of rows)
    out.set(r.name, {
      actual: f64(r.actual),
      predicted: f64(r.predicted),
      naive: f64(r.naive),
      valMae: (val.get(r.id) as { mae: number } | undefined)?.mae ?? NaN,
      real: !r.name.startsWith('gen-'),
    });
  db.close();
  return out;
}

function mae(a: Float64Array, b: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      s += Math.abs(a[i]! - b[i]!);
      n++;
    }
  return s / n;
}

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
