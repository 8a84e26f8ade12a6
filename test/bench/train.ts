// Training throughput of the real trainer (worker process, SQLite writes included) per TF.js
// backend and RNN implementation: the samples/s each run records per epoch.
import { join } from 'node:path';
import type { BenchOptions } from './run.js';
import { createService } from '../../core/service.js';
import { sineCsv, tempDir } from '../helpers.js';

interface Row {
  suite: string;
  impl: string;
  backend: string;
  cell: string;
  units: number;
  batch: number;
  steps: number;
  features: number;
  samplesPerSec: number;
  device: string;
}

export async function run(opts: BenchOptions): Promise<void> {
  const quick = opts.args.includes('--quick');
  const t = tempDir('rnnwb-bench-');
  const svc = createService({ dbPath: join(t.dir, 'bench.db'), host: 'bench' });
  const rows: Row[] = [];
  try {
    const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 6000), name: 'bench' });
    if (!ds.ok) throw new Error(ds.error.message);
    const cells = quick ? ['lstm'] : ['lstm', 'gru', 'simpleRNN'];
    for (const cell of cells) {
      for (const backend of ['wasm', 'cpu']) {
        for (const impl of ['fused', 'layers'] as const) {
          process.env.RNN_WORKBENCH_BACKEND = backend; // inherited by the forked trainer
          const slow = impl === 'layers';
          const spec = {
            target: 'value',
            window: { lookback: 50 },
            model: { cell, layers: [{ units: 64 }], impl },
            train: {
              epochs: 3,
              batchSize: 64,
              patience: 0,
              maxBatchesPerEpoch: slow ? (backend === 'cpu' ? 3 : 8) : 40,
            },
          };
          const r = await svc.call('runs.create', { datasetId: ds.value.id, spec, name: `${cell} ${impl} ${backend}` });
          if (!r.ok) throw new Error(r.error.message);
          await svc.waitForRun(r.value.id);
          const done = await svc.call('runs.get', { id: r.value.id });
          const m = await svc.call('runs.metrics', { ids: [r.value.id], keys: ['samples_per_sec'] });
          if (!done.ok || !m.ok) throw new Error('run lookup failed');
          if (done.value.status !== 'completed')
            throw new Error(`${cell}/${impl}/${backend}: ${done.value.status} ${done.value.error ?? ''}`);
          // Epoch 1 includes warm-up (kernel compilation, first allocations): median of the later epochs.
          const sps = m.value
            .slice(1)
            .map((x) => x.value)
            .sort((a, b) => a - b);
          rows.push({
            suite: 'train',
            impl: done.value.impl ?? impl,
            backend: done.value.backend ?? backend,
            cell,
            units: 64,
            batch: 64,
            steps: 50,
            features: 1,
            samplesPerSec: Math.round(sps[Math.floor(sps.length / 2)]!),
            device: done.value.device ?? '',
          });
          if (opts.json) console.log(JSON.stringify(rows.at(-1)));
        }
      }
    }
  } finally {
    delete process.env.RNN_WORKBENCH_BACKEND;
    await svc.close();
    t.cleanup();
  }
  if (!opts.json) {
    console.log(
      'trainer throughput (worker process, SQLite writes included; median of epochs 2-3; units 64, batch 64, lookback 50, 1 feature)',
    );
    console.log(['cell', 'backend', 'impl', 'samples/s'].join('\t'));
    for (const r of rows) console.log([r.cell, r.backend, r.impl, r.samplesPerSec].join('\t'));
  }
}
