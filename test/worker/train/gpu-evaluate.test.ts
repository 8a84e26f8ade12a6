// The GPU epoch runner's own predictions (gpu-epochs.ts `predict`): the validation windows of every
// epoch and the test windows with the best weights run on the GPU (SwiftShader here), beside the
// training data, and agree with the TF.js model's CPU evaluation of the same weights.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import type { SourceColumn } from '../../../core/spec-rules.js';
import { prepare } from '../../../worker/data/prepare.js';
import { buildModel, layersRnn } from '../../../worker/model/build.js';
import { predictWindows, valMetrics } from '../../../worker/train/evaluate.js';
import type { EpochHooks } from '../../../worker/train/epoch-runner.js';
import { gpuEpochRunner } from '../../../worker/train/gpu-epochs.js';
import { relErr } from '../kernels/webgpu/reference.js';
import { openSwiftShader } from '../kernels/webgpu/swiftshader.js';

let skip: string | undefined;
beforeAll(async () => {
  const r = await openSwiftShader(); // points Dawn at SwiftShader for the runner's own device too
  if ('skip' in r) skip = r.skip;
  else r.gpu.device.destroy();
}, 60_000);
afterAll(() => tf.disposeVariables());

function setup() {
  const rows = 300;
  const v: SourceColumn = {
    name: 'v',
    kind: 'numeric',
    values: Float64Array.from({ length: rows }, (_, i) => Math.sin(i / 5) + 0.01 * i),
  };
  const spec = parseSpec({
    target: 'v',
    window: { lookback: 8, horizon: 1 },
    model: { cell: 'lstm', layers: [{ units: 6 }, { units: 5 }] },
    train: { batchSize: 16, seed: 3, learningRate: 0.01 },
  });
  const p = prepare(
    spec,
    { name: 'd', rowCount: rows, timeColumn: null, seriesColumn: null, columns: [{ name: 'v', kind: 'numeric' }] },
    () => v,
  );
  const model = buildModel(
    spec,
    { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length },
    layersRnn,
  );
  return { spec, p, model };
}

const hooks: EpochHooks = { progress: () => {}, yieldPoint: async () => null };

describe('GPU epoch runner: validation and test predictions on the GPU', () => {
  it('match the TF.js model on the CPU, epoch after epoch, and with the best weights given back', async (ctx) => {
    if (skip) return ctx.skip();
    const { spec, p, model } = setup();
    const runner = await gpuEpochRunner(spec, p, model);
    try {
      const n = p.windows.train.length / 2;
      const order = Int32Array.from({ length: n }, (_, i) => (i * 5) % n);
      const plan = { order, batches: Math.ceil(n / 16), batchSize: 16 };
      const vals: Float32Array[] = [];
      for (const epoch of [1, 2]) {
        await runner.run({ epoch, ...plan }, hooks);
        await runner.syncModel();
        const gpu = await runner.predict!(p.windows.val);
        const cpu = predictWindows(model, p, p.windows.val).pred;
        expect(gpu.length).toBe(cpu.length);
        expect(relErr(gpu, cpu), `epoch ${epoch}`).toBeLessThan(1e-3);
        // The metrics from the GPU's outputs are the CPU's, within that.
        const fromGpu = valMetrics(model, p, spec, gpu).metrics;
        const fromCpu = valMetrics(model, p, spec).metrics;
        expect(Math.abs(fromGpu.val_loss - fromCpu.val_loss) / fromCpu.val_loss).toBeLessThan(2e-3);
        vals.push(gpu);
      }
      expect(relErr(vals[1]!, vals[0]!)).toBeGreaterThan(1e-3); // the second epoch's weights, not the first's
      // The test windows with given weights (the end of training: the best checkpoint's).
      const best = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      await runner.run({ epoch: 3, ...plan }, hooks);
      const test = await runner.predict!(p.windows.test, best);
      const cpuTest = predictWindows(model, p, p.windows.test).pred; // the model still holds epoch 2's weights
      expect(relErr(test, cpuTest)).toBeLessThan(1e-3);
      // Outputs for another number of windows than the split's are refused, not misread.
      expect(() => valMetrics(model, p, spec, vals[0]!.subarray(1))).toThrow(
        /predictions for \d+ windows, the split has \d+/,
      );
    } finally {
      runner.dispose();
      model.dispose();
    }
  }, 120_000);
});
