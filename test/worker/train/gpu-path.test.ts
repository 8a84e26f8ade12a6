// The trainer's GPU-fused path end to end (service → worker → WebGPU trainer → SQLite), on
// SwiftShader's CPU Vulkan driver from Debian's chromium package (CI installs it). On a machine
// with a real GPU, RNN_WORKBENCH_GPU=auto picks the GPU without these settings.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService } from '../../../core/service.js';
import { sineCsv, tempDir, tinySpec, writeFile } from '../../helpers.js';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const t = tempDir();
afterAll(() => t.cleanup());

describe('trainer on the GPU path', () => {
  it('trains, checkpoints and evaluates with the WebGPU trainer, recording the adapter', async () => {
    expect(existsSync(ICD), `${ICD} is missing: apt-get install chromium (it ships SwiftShader)`).toBe(true);
    // Inherited by the forked trainer.
    process.env.VK_DRIVER_FILES = ICD;
    process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));
    process.env.RNN_WORKBENCH_GPU = 'fallback';
    const svc = createService({ dbPath: join(t.dir, 'gpu.db') });
    try {
      const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 600) });
      if (!ds.ok) throw new Error(ds.error.message);
      const created = await svc.call('runs.create', {
        datasetId: ds.value.id,
        spec: tinySpec({ train: { epochs: 4, learningRate: 0.01, patience: 0 } }),
      });
      if (!created.ok) throw new Error(created.error.message);
      await svc.waitForRun(created.value.id);
      const run = await svc.call('runs.get', { id: created.value.id });
      if (!run.ok) throw new Error(run.error.message);
      expect(run.value.status).toBe('completed');
      expect(run.value.impl).toBe('fused-webgpu');
      expect(run.value.device).toMatch(/webgpu: swiftshader/i);
      const loss = run.value.summary.find((s) => s.key === 'loss')!;
      expect(loss.last).toBeLessThan(loss.max / 2); // it learns
      expect(run.value.test['test.rmse']).toBeGreaterThan(0);
      // Validation and the test predictions ran on the GPU as well (gpu-evaluate.test.ts checks their values).
      const log = await svc.call('runs.log', { id: created.value.id });
      if (!log.ok) throw new Error(log.error.message);
      expect(log.value.map((l) => l.message).join('\n')).toMatch(
        /whole epochs, and every epoch's validation and the test predictions, on the GPU/,
      );
    } finally {
      delete process.env.RNN_WORKBENCH_GPU;
      await svc.close();
    }
  });

  it('trains window-normalised log targets on the GPU path (the uploaded windows are the normalised batches)', async () => {
    process.env.VK_DRIVER_FILES = ICD;
    process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'xdg-'));
    process.env.RNN_WORKBENCH_GPU = 'fallback';
    const lines = ['time,value'];
    for (let i = 0; i < 400; i++)
      lines.push(
        `${new Date(Date.UTC(1990, i, 1)).toISOString().slice(0, 10)},${(20 * Math.exp(0.01 * i) * (1 + 0.03 * Math.sin(i * 1.3))).toFixed(4)}`,
      );
    const svc = createService({ dbPath: join(t.dir, 'gpu-window.db') });
    try {
      const ds = await svc.call('datasets.import', { path: writeFile(t.dir, 'growth.csv', lines.join('\n')) });
      if (!ds.ok) throw new Error(ds.error.message);
      const spec = tinySpec({
        transform: 'log',
        normalize: 'window',
        train: { epochs: 4, learningRate: 0.01, patience: 0 },
      });
      const created = await svc.call('runs.create', { datasetId: ds.value.id, spec });
      if (!created.ok) throw new Error(created.error.message);
      await svc.waitForRun(created.value.id);
      const run = await svc.call('runs.get', { id: created.value.id });
      if (!run.ok) throw new Error(run.error.message);
      expect(run.value.status).toBe('completed');
      expect(run.value.impl).toBe('fused-webgpu');
      // In original units, near the last value: not a flat line at the top of the training range.
      expect(run.value.test['test.mae']!).toBeLessThan(3 * run.value.test['naive.mae']!);
    } finally {
      delete process.env.RNN_WORKBENCH_GPU;
      await svc.close();
    }
  });
});
