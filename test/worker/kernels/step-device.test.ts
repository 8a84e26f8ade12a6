// The whole step end to end (issue 15): a run trained by a forked trainer through the service
// records in its device line that the whole training step ran in WebAssembly (the default), and
// RNN_FUSED_STEP=0 in the trainer's environment turns it off (TF.js trainOnBatch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { sineCsv, tempDir, tinySpec, trainToEnd } from '../../helpers.js';
import { availableParallelism } from 'node:os';

const t = tempDir();
let svc: Service;
let datasetId: number;

async function trained(spec: Record<string, unknown>): Promise<RunRow> {
  const created = await svc.call('runs.create', { datasetId, spec });
  if (!created.ok) throw new Error(created.error.message);
  await svc.waitForRun(created.value.id);
  const run = await svc.call('runs.get', { id: created.value.id });
  if (!run.ok) throw new Error(run.error.message);
  return run.value;
}

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'w.db') });
  const ds = await svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' });
  if (!ds.ok) throw new Error(ds.error.message);
  datasetId = ds.value.id;
});

afterAll(async () => {
  delete process.env.RNN_FUSED_STEP;
  delete process.env.RNN_KERNEL_SHARE;
  delete process.env.RNN_KERNEL_WARMUP_MS;
  await svc.close();
  t.cleanup();
});

describe('the run records the whole step', () => {
  it('by default (with dropout too) the device line says so; RNN_FUSED_STEP=0 trains through TF.js', async () => {
    const spec = tinySpec({
      model: { cell: 'gru', layers: [{ units: 8, dropout: 0.2 }] },
      train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 },
    });
    const on = await trained(spec);
    expect(on.status).toBe('completed');
    expect(on.device).toMatch(/RNN layers: (native|wasm) .*; whole training step in wasm$/);
    process.env.RNN_FUSED_STEP = '0';
    const off = await trained(spec);
    delete process.env.RNN_FUSED_STEP;
    expect(off.status).toBe('completed');
    expect(off.device).not.toMatch(/whole training step/);
    // Same data, same seed, same initial weights: both learn to a similar validation loss.
    const val = (r: RunRow) => r.summary.find((s) => s.key === 'val_loss')!.best;
    expect(val(on)).toBeLessThan(2 * val(off));
    expect(val(off)).toBeLessThan(2 * val(on));
  });

  it("logs the training step's thread count, measured on the first batches, and the device line says up to how many", async () => {
    // The trainer takes the whole machine, whatever other test files train now (core-share.test.ts),
    // and measures after its 12 warm-up calls, not a second (this run trains for less).
    process.env.RNN_KERNEL_SHARE = '0';
    process.env.RNN_KERNEL_WARMUP_MS = '0';
    const spec = tinySpec({
      model: { cell: 'lstm', layers: [{ units: 8 }, { units: 8 }] },
      train: { epochs: 1, batchSize: 32, learningRate: 0.01, patience: 0 },
    });
    const lines: string[] = [];
    const run = await trainToEnd(svc, datasetId, spec, lines);
    delete process.env.RNN_KERNEL_SHARE;
    delete process.env.RNN_KERNEL_WARMUP_MS;
    expect(run.status).toBe('completed');
    const cores = Math.min(16, availableParallelism());
    if (cores === 1) return expect(run.device).toMatch(/(native|wasm) .*, 1 thread;/);
    expect(run.device).toMatch(new RegExp(`(native|wasm) .*, up to ${cores} threads;`));
    // 32 rows are 4 slices: up to 4 threads; one line for the whole step (split-step.ts: both layers
    // and the dense layers, one hand-off a batch) of each network trained (the ensemble's reference
    // member, when the spec's normalisation picks it, and the run's).
    const allowed = Math.min(4, cores);
    const chosen = lines.filter((l) => l.startsWith('kernel threads for the training step'));
    expect(chosen.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.startsWith('kernel threads for lstm'))).toEqual([]);
    for (const l of chosen)
      expect(l).toMatch(
        new RegExp(
          `^kernel threads for the training step \\(lstm 8 units, lstm 8 units, dense layers; one hand-off a batch\\): ` +
            `[124] of ${allowed} allowed, measured on batches of 32 \\(fastest forward \\+ backward per thread count: 1 → [0-9.]+ ms, 2 → `,
        ),
      );
  });
});
