// The whole step end to end (issue 15): a run trained by a forked trainer through the service
// records in its device line that the whole training step ran in WebAssembly (the default), and
// RNN_FUSED_STEP=0 in the trainer's environment turns it off (TF.js trainOnBatch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { sineCsv, tempDir, tinySpec } from '../../helpers.js';

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
    expect(on.device).toMatch(/RNN layers: wasm .*; whole training step in wasm$/);
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
});
