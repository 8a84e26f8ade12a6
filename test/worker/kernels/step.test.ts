// The fused train step (worker/kernels/step.ts: dense layers, loss, optimizer in WebAssembly)
// against TF.js's trainOnBatch on the same fused model and weights: SGD's update gives the
// gradients (1e-4), Adam/RMSProp follow TF.js step for step, the optimizer state goes to and from
// TF.js's slot layout (checkpoint, resume), and a training run ends within 1% of TF.js's val loss.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedRnnLayer, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import { FusedTrainStep, fusedStepUnsupported, stepLossOf } from '../../../worker/kernels/step.js';
import type { Cell } from '../../../core/spec.js';
import { relNorm } from './inputs.js';

interface Arch {
  cell: Cell;
  layers: number;
  head: { units: number; activation: 'relu' | 'tanh' | 'linear' }[];
  outputs: number;
  classify?: boolean;
}
const [T, F, H] = [6, 3, 7];

function build(a: Arch, opt: () => tf.Optimizer, loss: string | ((t: tf.Tensor, p: tf.Tensor) => tf.Tensor)) {
  const input = tf.input({ shape: [T, F] });
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < a.layers; i++)
    x = fusedRnnLayer({ cell: a.cell, units: H, returnSequences: i < a.layers - 1, seed: 3 + i }).apply(
      x,
    ) as tf.SymbolicTensor;
  for (const h of a.head)
    x = tf.layers.dense({ units: h.units, activation: h.activation }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: a.outputs, activation: a.classify ? 'softmax' : 'linear' })
    .apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  const o = opt();
  m.compile({ optimizer: o, loss: loss as never });
  return { m, o };
}

function pair(a: Arch, opt: () => tf.Optimizer, loss: string | ((t: tf.Tensor, p: tf.Tensor) => tf.Tensor)) {
  const ref = build(a, opt, loss),
    mine = build(a, opt, loss);
  mine.m.setWeights(ref.m.getWeights());
  return { ref, mine };
}

function batch(B: number, a: Arch, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomNormal([B, T, F], 0, 1, 'float32', seed);
  if (!a.classify) return { x, y: tf.randomNormal([B, a.outputs], 0, 1, 'float32', seed + 1) };
  const labels = tf.randomUniform([B], 0, a.outputs, 'int32', seed + 1);
  return { x, y: tf.oneHot(labels, a.outputs).toFloat() };
}

const flat = (m: tf.LayersModel) => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.dataSync())));
const huberDelta1 = function huberDelta1(t: tf.Tensor, p: tf.Tensor) {
  return tf.losses.huberLoss(t, p, undefined, 1.0);
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  shutdownKernelThreads();
});

const ARCHS: [string, Arch, string | typeof huberDelta1][] = [
  ['lstm, mse', { cell: 'lstm', layers: 1, head: [], outputs: 1 }, 'meanSquaredError'],
  [
    'gru, 2 layers, relu head, 2 outputs, mae',
    { cell: 'gru', layers: 2, head: [{ units: 5, activation: 'relu' }], outputs: 2 },
    'meanAbsoluteError',
  ],
  [
    'simpleRNN, tanh head, huber',
    { cell: 'simpleRNN', layers: 1, head: [{ units: 4, activation: 'tanh' }], outputs: 3 },
    huberDelta1,
  ],
  [
    'lstm, softmax cross-entropy',
    { cell: 'lstm', layers: 1, head: [], outputs: 4, classify: true },
    'categoricalCrossentropy',
  ],
];

describe('fused train step', () => {
  it.each(ARCHS)('%s: one SGD step applies the TF.js gradients (1e-4) and reports its loss', async (_n, a, loss) => {
    const lr = 0.1;
    const { ref, mine } = pair(a, () => tf.train.sgd(lr), loss);
    const { x, y } = batch(24, a, 11);
    const w0 = flat(ref.m);
    const step = new FusedTrainStep(mine.m, mine.o, stepLossOf(mine.m)!);
    const l1 = step.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, 24);
    const l0 = (await ref.m.trainOnBatch(x, y)) as number;
    step.syncModel();
    const gRef = flat(ref.m).map((v, i) => (w0[i]! - v) / lr),
      gMine = flat(mine.m).map((v, i) => (w0[i]! - v) / lr);
    expect(relNorm(gMine, gRef)).toBeLessThan(1e-4);
    expect(Math.abs(l1 - l0) / l0).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it.each([
    ['adam', () => tf.train.adam(0.01)],
    ['rmsprop', () => tf.train.rmsprop(0.01)],
  ] as const)(
    '%s follows TF.js over 5 steps, and its state round-trips through the TF.js optimizer',
    async (_n, opt) => {
      const a: Arch = { cell: 'lstm', layers: 2, head: [], outputs: 1 };
      const { ref, mine } = pair(a, opt, 'meanSquaredError');
      const w0 = flat(ref.m);
      const step = new FusedTrainStep(mine.m, mine.o, 'mse');
      for (let s = 0; s < 5; s++) {
        const { x, y } = batch(16, a, 20 + s);
        await ref.m.trainOnBatch(x, y);
        step.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, 16);
        tf.dispose([x, y]);
      }
      step.syncModel();
      const dRef = flat(ref.m).map((v, i) => v - w0[i]!),
        dMine = flat(mine.m).map((v, i) => v - w0[i]!);
      expect(relNorm(dMine, dRef)).toBeLessThan(1e-3);
      // The state as TF.js lays it out: same names order, shapes and values.
      await step.syncOptimizer();
      const wr = await ref.o.getWeights(),
        wm = await mine.o.getWeights();
      expect(wm.map((w) => w.tensor.shape)).toEqual(wr.map((w) => w.tensor.shape));
      expect(wm[0]!.tensor.dataSync()[0]).toBe(5);
      for (let i = 1; i < wr.length; i++)
        expect(
          relNorm(wm[i]!.tensor.dataSync() as Float32Array, wr[i]!.tensor.dataSync() as Float32Array),
        ).toBeLessThan(1e-3);
      // Resume: a new step engine reading the TF.js state continues as TF.js does.
      const again = new FusedTrainStep(mine.m, mine.o, 'mse');
      await again.loadOptimizer();
      const { x, y } = batch(16, a, 40);
      await ref.m.trainOnBatch(x, y);
      again.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, 16);
      again.syncModel();
      expect(
        relNorm(
          flat(mine.m).map((v, i) => v - w0[i]!),
          flat(ref.m).map((v, i) => v - w0[i]!),
        ),
      ).toBeLessThan(1e-3);
      tf.dispose([x, y]);
    },
  );

  it('says what it does not cover', () => {
    const input = tf.input({ shape: [T, F] });
    const h = fusedRnnLayer({ cell: 'lstm', units: 4, returnSequences: false }).apply(input) as tf.SymbolicTensor;
    // Plain dropout is covered (step-dropout.test.ts); one with a noise shape is not.
    const d = tf.layers.dropout({ rate: 0.2, noiseShape: [1, 4] }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(d) as tf.SymbolicTensor });
    expect(fusedStepUnsupported(m, 'mse', tf.train.adam())).toMatch(/dropout/);
    const m2 = build({ cell: 'gru', layers: 1, head: [], outputs: 1 }, () => tf.train.adam(), 'meanSquaredError').m;
    expect(fusedStepUnsupported(m2, 'mse', tf.train.adagrad(0.1))).toMatch(/optimizer Adagrad/);
    expect(fusedStepUnsupported(m2, null, tf.train.adam())).toMatch(/loss/);
    expect(fusedStepUnsupported(m2, 'mse', tf.train.adam())).toBeNull();
    // A Sequential model lists no InputLayer.
    const seq = tf.sequential({
      layers: [
        fusedRnnLayer({ cell: 'gru', units: 3, returnSequences: false, inputShape: [T, F] }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    expect(fusedStepUnsupported(seq, 'mse', tf.train.adam())).toBeNull();
  });
});

describe('training with the fused step', () => {
  it('ends within 1% of the validation loss of TF.js training from the same weights (lstm, Adam, mse)', async () => {
    const a: Arch = { cell: 'lstm', layers: 1, head: [], outputs: 1 };
    const { ref, mine } = pair(a, () => tf.train.adam(0.01), 'meanSquaredError');
    // Noisy sine windows, as training.test.ts.
    let s = 12345;
    const noise = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (s / 2 ** 32 - 0.5) * 0.2;
    };
    const series = Array.from({ length: 400 }, (_, i) => Math.sin(i * 0.3) + noise());
    const windows = (from: number, n: number) => {
      const xs: number[] = [],
        ys: number[] = [];
      for (let i = from; i < from + n; i++) {
        for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) xs.push(series[i + t]! * (f + 1));
        ys.push(series[i + T]!);
      }
      return { x: tf.tensor3d(xs, [n, T, F]), y: tf.tensor2d(ys, [n, 1]) };
    };
    const train = windows(0, 256),
      val = windows(300, 64);
    const evalLoss = (m: tf.LayersModel) => (m.evaluate(val.x, val.y) as tf.Scalar).dataSync()[0]!;
    const before = evalLoss(ref.m);
    const step = new FusedTrainStep(mine.m, mine.o, 'mse');
    const B = 32;
    for (let e = 0; e < 6; e++)
      for (let b = 0; b < 256; b += B) {
        const x = train.x.slice([b, 0, 0], [B, T, F]),
          y = train.y.slice([b, 0], [B, 1]);
        await ref.m.trainOnBatch(x, y);
        step.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, B);
        tf.dispose([x, y]);
      }
    step.syncModel();
    const lr = evalLoss(ref.m),
      lm = evalLoss(mine.m);
    expect(lr).toBeLessThan(before * 0.5);
    expect(Math.abs(lm - lr) / lr).toBeLessThan(0.01);
    tf.dispose([train.x, train.y, val.x, val.y]);
  });
});
