// How an ensemble run's two networks would do under other combinations than the plain mean, from a
// forecast battery kept with `--keep-db` (no training: each run's best checkpoint and its stored
// member are evaluated again). `npx tsx test/bench/ensemble-weights.ts KEPT.db`
// Prints, per ensemble run: validation and test MAE of each network, and the test MAE of the mean,
// of inverse-validation-MAE and inverse-validation-MSE weights, and of the weight fitted on
// validation (grid 0..1), beside naive, seasonal naive and ETS.
import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '../../core/contract.js';
import { columnLoader, datasetInfo } from '../../core/datasets.js';
import { loadCheckpoint } from '../../db/checkpoints.js';
import { loadMembers } from '../../db/members.js';
import { openDb } from '../../db/open.js';
import { actualOutputs, originalOutputs } from '../../worker/data/batches.js';
import { prepare, type Prepared } from '../../worker/data/prepare.js';
import { applyShrink, type ShrinkRecord } from '../../worker/data/shrink.js';
import { buildModel, layersRnn } from '../../worker/model/build.js';
import { setModelWeights, type WeightSpec } from '../../worker/train/checkpoint.js';
import { predictWindows } from '../../worker/train/evaluate.js';
import type { Normalize } from '../../worker/data/transforms.js';

function forecasts(model: tf.LayersModel, p: Prepared, w: Int32Array, shrink: ShrinkRecord | undefined): Float64Array {
  const { pred, base } = predictWindows(model, p, w);
  if (shrink) applyShrink(pred, base, shrink.alpha);
  return originalOutputs(p, w, pred);
}

const mae = (a: Float64Array, f: (i: number) => number) => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(f(i) - a[i]!);
    if (Number.isFinite(e)) {
      s += e;
      n++;
    }
  }
  return s / n;
};

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const db = openDb(process.argv[2]!);
  const runs = db
    .prepare(
      `SELECT r.id, r.spec, r.dataset_id, d.name FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE EXISTS (SELECT 1 FROM run_members m WHERE m.run_id = r.id)`,
    )
    .all() as { id: number; spec: string; dataset_id: number; name: string }[];
  console.log(
    '| series | val g | val m | test g | test m | mean | inv MAE | inv MSE | fitted w (g) | naive | seasonal | ETS |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of runs) {
    const spec = parseSpec(JSON.parse(r.spec));
    const ds = datasetInfo(db, r.dataset_id)!;
    const load = columnLoader(db, r.dataset_id);
    const p = prepare(spec, ds, load);
    const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
    const cp = loadCheckpoint(db, r.id, 'best')!;
    const g = buildModel(spec, shape, layersRnn);
    setModelWeights(g, JSON.parse(cp.weight_specs) as WeightSpec[], cp.weights);
    const gShrink = (JSON.parse(cp.preprocessing) as { shrink?: ShrinkRecord }).shrink;
    const row = loadMembers(db, r.id)[0]!;
    const pm = prepare({ ...spec, normalize: row.normalize as Normalize }, ds, load);
    const m = buildModel(spec, shape, layersRnn);
    setModelWeights(m, JSON.parse(row.weight_specs) as WeightSpec[], row.weights);
    const mShrink = (JSON.parse(row.preprocessing) as { shrink?: ShrinkRecord }).shrink;
    const split = (w: Int32Array) => ({
      y: actualOutputs(p, w),
      g: forecasts(g, p, w, gShrink),
      m: forecasts(m, pm, w, mShrink),
    });
    const val = split(p.windows.val);
    const test = split(p.windows.test);
    const vg = mae(val.y, (i) => val.g[i]!);
    const vm = mae(val.y, (i) => val.m[i]!);
    const mse = (f: Float64Array) => mae(val.y, (i) => (f[i]! - val.y[i]!) ** 2 + val.y[i]!);
    const comb = (wg: number) => mae(test.y, (i) => wg * test.g[i]! + (1 - wg) * test.m[i]!);
    let best = 0.5;
    let bestVal = Infinity;
    for (let k = 0; k <= 20; k++) {
      const w = k / 20;
      const v = mae(val.y, (i) => w * val.g[i]! + (1 - w) * val.m[i]!);
      if (v < bestVal - 1e-12) {
        bestVal = v;
        best = w;
      }
    }
    const sg = mse(val.g);
    const sm = mse(val.m);
    const t = db.prepare(`SELECT key, last AS value FROM run_summary WHERE run_id = ?`).all(r.id) as {
      key: string;
      value: number;
    }[];
    const get = (k: string) => t.find((x) => x.key === k)?.value ?? NaN;
    const f = (v: number) => v.toPrecision(4);
    console.log(
      `| ${r.name} | ${f(vg)} | ${f(vm)} | ${f(comb(1))} | ${f(comb(0))} | ${f(comb(0.5))} | ${f(comb(vm / (vg + vm)))} | ${f(comb(sm / (sg + sm)))} | ${f(comb(best))} (${best}) | ${f(get('test.naive.mae'))} | ${f(get('test.seasonal.mae'))} | ${f(get('test.ets.mae'))} |`,
    );
    g.dispose();
    m.dispose();
  }
  db.close();
}

await main();
