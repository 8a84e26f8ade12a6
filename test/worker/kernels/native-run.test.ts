// A run trained end to end by a forked trainer on the native engine (the default where it runs)
// records it in its device line and learns exactly what the relaxed-SIMD wasm build learns: the
// same losses, epoch by epoch, bit for bit (same seed and weights; the engines compute the same
// sums in the same order, native.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunRow } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { nativeEngine } from '../../../worker/kernels/modules.js';
import { ok, sineCsv, tempDir, tinySpec, trainToEnd } from '../../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;

async function trained(spec: Record<string, unknown>): Promise<{ run: RunRow; losses: string[] }> {
  const run = await trainToEnd(svc, datasetId, spec);
  const metrics = await ok(svc.call('runs.metrics', { ids: [run.id], keys: ['loss', 'val_loss'] }));
  return { run, losses: metrics.map((m) => `${m.key}@${m.epoch}=${m.value}`) };
}

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'w.db') });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' }))).id;
});

afterAll(async () => {
  delete process.env.RNN_KERNEL_SIMD;
  await svc.close();
  t.cleanup();
});

describe('training on the native engine', () => {
  it.runIf(nativeEngine().ok)('records the engine, and ends with the wasm build’s losses bit for bit', async () => {
    const spec = tinySpec({
      model: { cell: 'lstm', layers: [{ units: 16 }, { units: 8, dropout: 0.1 }] },
      train: { epochs: 3, batchSize: 32, learningRate: 0.01, patience: 0 },
    });
    const native = await trained(spec);
    process.env.RNN_KERNEL_SIMD = 'relaxed-simd';
    const wasm = await trained(spec);
    delete process.env.RNN_KERNEL_SIMD;
    expect(native.run.status).toBe('completed');
    expect(wasm.run.status).toBe('completed');
    expect(native.run.device).toMatch(/RNN layers: native avx(2|512) \(fma\), /);
    expect(wasm.run.device).toMatch(/RNN layers: wasm relaxed simd \(fma\), /);
    expect(native.losses.length).toBeGreaterThanOrEqual(6);
    expect(native.losses).toEqual(wasm.losses);
  });
});
