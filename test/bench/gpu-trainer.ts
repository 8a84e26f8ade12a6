// The whole trainer on a GPU machine, in one process: import a CSV into SQLite, train runs through
// worker/train/trainer.ts (the implementation choice, the WebGPU trainer, per-epoch commits and
// checkpoints, test evaluation), and print what each run recorded. Bundled and carried to a lent
// GPU by test/bench/gpu-device.sh's sibling steps (see the issue note); also runs here with
// RNN_WORKBENCH_GPU=fallback on SwiftShader.
import { join } from 'node:path';
import { flattenSpec, parseSpec } from '../../core/spec.js';
import { openDb } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { metricsFor } from '../../db/metrics.js';
import { importCsv } from '../../worker/import/run.js';
import { train } from '../../worker/train/trainer.js';
import { sineCsv, tempDir } from '../helpers.js';

const quick = process.argv.includes('--quick');
const t = tempDir('rnnwb-gputrain-');
const dbPath = join(t.dir, 'gpu.db');
const ds = await importCsv(dbPath, sineCsv(t.dir, quick ? 3000 : 40_000));
const cells = ['lstm', 'gru', 'simpleRNN'];
for (const batch of quick ? [64] : [64, 1024]) {
  for (const cell of quick ? ['lstm'] : cells) {
    const spec = parseSpec({
      target: 'value',
      window: { lookback: 50 },
      model: { cell, layers: [{ units: 64 }] },
      train: { epochs: quick ? 2 : 4, batchSize: batch, learningRate: 0.003, patience: 0 },
    });
    const db = openDb(dbPath);
    const runId = runsDb.insertRun(db, {
      name: `${cell} b${batch}`,
      datasetId: ds.id,
      spec: JSON.stringify(spec),
      seed: 42,
      params: flattenSpec(spec),
    });
    db.close();
    const t0 = performance.now();
    await train({ dbPath, runId, resume: false, send: () => {}, stopRequested: () => false });
    const seconds = (performance.now() - t0) / 1000;
    const check = openDb(dbPath);
    const run = runsDb.getRun(check, runId)!;
    const sps = metricsFor(check, [runId], ['samples_per_sec'])
      .slice(1)
      .map((m) => m.value)
      .sort((a, b) => a - b);
    const val = metricsFor(check, [runId], ['val_loss']).map((m) => m.value);
    check.close();
    console.log(
      JSON.stringify({
        suite: 'gpu-trainer',
        impl: run.impl,
        backend: run.backend,
        device: run.device,
        status: run.status,
        error: run.error,
        cell,
        units: 64,
        batch,
        steps: 50,
        features: 1,
        samplesPerSec: Math.round(sps[Math.floor(sps.length / 2)] ?? 0),
        seconds: Math.round(seconds * 10) / 10,
        valLossFirst: val[0],
        valLossLast: val.at(-1),
        testRmse: (JSON.parse(run.test_metrics) as Record<string, number>)['test.rmse'],
      }),
    );
  }
}
t.cleanup();
process.exit(0);
