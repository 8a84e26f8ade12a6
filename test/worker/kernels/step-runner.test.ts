// The CPU epoch runner with the fused step (on by default) against the same runner on TF.js's
// trainOnBatch (RNN_FUSED_STEP=0): from the same spec and seed (so the same initial weights), 4 epochs end
// within 1% of each other's validation loss, and the optimizer state the checkpoint stores has the
// same names and shapes.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import type { SourceColumn } from '../../../core/spec-rules.js';
import { cutBatch, windowCount } from '../../../worker/data/batches.js';
import { prepare } from '../../../worker/data/prepare.js';
import { fusedRnnLayer, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import { fusedStepBatches } from '../../../worker/kernels/step.js';
import { buildModel, lossFor, optimizerFor } from '../../../worker/model/build.js';
import { startCpuEpochRunner } from '../../../worker/train/cpu-epochs.js';
import type { EpochHooks } from '../../../worker/train/epoch-runner.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  delete process.env.RNN_FUSED_STEP;
  shutdownKernelThreads();
});

async function train(fusedStep: boolean, loss: 'mse' | 'huber', optimizer: 'adam' | 'rmsprop' | 'sgd') {
  if (fusedStep) delete process.env.RNN_FUSED_STEP;
  else process.env.RNN_FUSED_STEP = '0';
  const n = 400;
  const v: SourceColumn = {
    name: 'v',
    kind: 'numeric',
    values: Float64Array.from({ length: n }, (_, i) => Math.sin(i / 5) + 0.1 * Math.sin(i * 1.7)),
  };
  const spec = parseSpec({
    target: 'v',
    window: { lookback: 10, horizon: 2 },
    model: { cell: 'lstm', layers: [{ units: 8 }], head: { layers: [6], activation: 'tanh' } },
    train: { batchSize: 32, seed: 5, loss, optimizer, learningRate: 0.01 },
  });
  const p = prepare(
    spec,
    { name: 'd', rowCount: n, timeColumn: null, seriesColumn: null, columns: [{ name: 'v', kind: 'numeric' }] },
    () => v,
  );
  const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
  const model = buildModel(spec, shape, (cfg) => fusedRnnLayer(cfg));
  const opt = optimizerFor(spec);
  model.compile({ optimizer: opt, loss: lossFor(spec) as never });
  const { runner, wholeStep } = await startCpuEpochRunner(model, opt, p);
  expect(wholeStep).toBe(fusedStep); // what the run's device line reports (worker/train/setup.ts)
  const nTrain = windowCount(p.windows.train);
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  const hooks: EpochHooks = { progress: () => {}, yieldPoint: async () => null };
  for (let epoch = 1; epoch <= 4; epoch++)
    await runner.run({ epoch, order, batches: Math.ceil(nTrain / 32), batchSize: 32 }, hooks);
  await runner.syncModel();
  const nVal = windowCount(p.windows.val);
  const val = cutBatch(p, p.windows.val, null, 0, nVal);
  const [xs, ys] = [
    tf.tensor3d(val.x, [nVal, p.lookback, p.features.length]),
    tf.tensor2d(val.y, [nVal, p.outputs.length]),
  ];
  const valLoss = (model.evaluate(xs, ys) as tf.Scalar).dataSync()[0]!;
  const state = await runner.optimizerState();
  tf.dispose([xs, ys]);
  model.dispose();
  return { valLoss, specs: state!.specs.map((s) => [s.name.replace(/_\d+\//, '/'), s.shape]) };
}

describe('CPU epoch runner with the whole step (the default; RNN_FUSED_STEP=0 is TF.js trainOnBatch)', () => {
  it.each([
    ['mse', 'adam'],
    ['huber', 'rmsprop'],
    ['mse', 'sgd'],
  ] as const)('%s + %s: 4 epochs end within 1% of the val loss of TF.js training', async (loss, optimizer) => {
    const before = fusedStepBatches();
    const ref = await train(false, loss, optimizer);
    expect(fusedStepBatches()).toBe(before);
    const mine = await train(true, loss, optimizer);
    expect(fusedStepBatches()).toBeGreaterThan(before); // the switch took effect
    expect(Math.abs(mine.valLoss - ref.valLoss) / ref.valLoss).toBeLessThan(0.01);
    expect(mine.specs.map((s) => s[1])).toEqual(ref.specs.map((s) => s[1]));
  });
});
