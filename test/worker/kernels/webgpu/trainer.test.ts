// The WGSL trainer against tf.layers on the TF.js cpu backend, run on SwiftShader (a CPU Vulkan
// driver) so that it needs no GPU. Skips, saying why, only when no adapter can be created at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, RecurrentActivation } from '../../../../worker/kernels/types.js';
import type { GpuContext } from '../../../../worker/kernels/webgpu/device.js';
import { gpuAdapterInfo } from '../../../../worker/kernels/webgpu/device.js';
import { createGpuTrainer, weightShapes } from '../../../../worker/kernels/webgpu/trainer.js';
import { referenceAdam, referenceGradients, relErr } from './reference.js';
import { openSwiftShader } from './swiftshader.js';

let gpu: GpuContext | undefined;
let skip: string | undefined;

beforeAll(async () => {
  const r = await openSwiftShader();
  if ('skip' in r) {
    skip = r.skip;
    console.warn(`\n*** SKIPPING WebGPU kernel tests: ${skip} ***\n`);
  } else gpu = r.gpu;
}, 60_000);

afterAll(() => gpu?.device.destroy());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomArray(n: number, r: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** A GRU trainer on the shared adapter: one output, batch 16, Adam at 0.02, MSE. */
function gruTrainer(o: { layers: number[]; features: number; steps: number; seed: number }) {
  return createGpuTrainer({
    cell: 'gru',
    outputs: 1,
    batch: 16,
    optimizer: 'adam',
    learningRate: 0.02,
    loss: 'mse',
    gpu,
    ...o,
  });
}

interface Case {
  name: string;
  cell: Cell;
  layers: number[];
  features: number;
  outputs: number;
  steps: number;
  batch: number;
  /** samples in the checked batch (< batch: a partial last batch) */
  rows?: number;
  recurrentActivation: RecurrentActivation;
}

const CASES: Case[] = [
  // stacked, several features and outputs, a partial batch (3 rows of 4), both recurrent activations
  {
    name: 'lstm stacked, partial batch',
    cell: 'lstm',
    layers: [6, 5],
    features: 3,
    outputs: 2,
    steps: 5,
    batch: 4,
    rows: 3,
    recurrentActivation: 'sigmoid',
  },
  {
    name: 'gru stacked, partial batch, hardSigmoid',
    cell: 'gru',
    layers: [6, 5],
    features: 3,
    outputs: 2,
    steps: 5,
    batch: 4,
    rows: 3,
    recurrentActivation: 'hardSigmoid',
  },
  {
    name: 'simpleRNN stacked',
    cell: 'simpleRNN',
    layers: [6, 5],
    features: 3,
    outputs: 2,
    steps: 5,
    batch: 4,
    recurrentActivation: 'sigmoid',
  },
  // edge sizes
  {
    name: 'lstm batch 1, 1 step, 5 units, hardSigmoid',
    cell: 'lstm',
    layers: [5],
    features: 1,
    outputs: 1,
    steps: 1,
    batch: 1,
    recurrentActivation: 'hardSigmoid',
  },
  {
    name: 'gru batch 1, 1 step, 5 units',
    cell: 'gru',
    layers: [5],
    features: 1,
    outputs: 1,
    steps: 1,
    batch: 1,
    recurrentActivation: 'sigmoid',
  },
  {
    name: 'simpleRNN batch 1, 1 step, 5 units',
    cell: 'simpleRNN',
    layers: [5],
    features: 1,
    outputs: 1,
    steps: 1,
    batch: 1,
    recurrentActivation: 'sigmoid',
  },
];

describe('GPU trainer (WebGPU, SwiftShader)', () => {
  it('reports the adapter', async (ctx) => {
    if (skip) return ctx.skip();
    const info = await gpuAdapterInfo();
    expect(info).toEqual({ name: gpu!.adapterName, isFallback: gpu!.isFallback });
    if (gpu!.isFallback) expect(info?.name).toMatch(/swiftshader/i);
  });

  for (const c of CASES) {
    it(`${c.name}: predictions, loss and every gradient match tf.layers (cpu) within 1e-3`, async (ctx) => {
      if (skip || !gpu) return ctx.skip();
      const r = rng(c.layers.length * 1000 + c.steps * 10 + c.batch);
      const weights = weightShapes(c).map((s) =>
        randomArray(
          s.reduce((a, b) => a * b, 1),
          r,
          0.6,
        ),
      );
      const n = c.rows ?? c.batch;
      const x = randomArray(n * c.steps * c.features, r);
      const y = randomArray(n * c.outputs, r);
      const trainer = await createGpuTrainer({ ...c, optimizer: 'adam', learningRate: 0.01, loss: 'mse', gpu });
      try {
        await trainer.setWeights(weights);
        trainer.uploadData(x, y);
        const ref = await referenceGradients(c, weights, x, y);
        const got = await trainer.gradients();
        expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-3);
        const pred = await trainer.predict();
        expect(relErr(pred, ref.pred)).toBeLessThan(1e-3);
        expect(got.grads.length).toBe(ref.grads.length);
        got.grads.forEach((g, i) => {
          const e = relErr(g, ref.grads[i]!);
          if (!(e < 1e-3))
            throw new Error(`gradient ${i} (shape ${weightShapes(c)[i]!.join('×')}): relative error ${e}`);
        });
        // The weights travel unchanged in the tf.layers layout.
        const back = await trainer.getWeights();
        back.forEach((w, i) => expect(relErr(w, weights[i]!)).toBe(0));
      } finally {
        trainer.dispose();
      }
    }, 30_000);
  }

  it('Adam steps match tf.layers model.fit (lstm, 3 steps)', async (ctx) => {
    if (skip || !gpu) return ctx.skip();
    const c = {
      cell: 'lstm' as const,
      layers: [6],
      features: 2,
      outputs: 1,
      steps: 4,
      recurrentActivation: 'hardSigmoid' as const,
    };
    const r = rng(7);
    const weights = weightShapes(c).map((s) =>
      randomArray(
        s.reduce((a, b) => a * b, 1),
        r,
        0.5,
      ),
    );
    const n = 6;
    const x = randomArray(n * c.steps * c.features, r);
    const y = randomArray(n, r);
    const trainer = await createGpuTrainer({ ...c, batch: n, optimizer: 'adam', learningRate: 0.01, loss: 'mse', gpu });
    try {
      await trainer.setWeights(weights);
      trainer.uploadData(x, y);
      for (let s = 0; s < 3; s++) await trainer.trainEpoch();
      const got = await trainer.getWeights();
      const ref = await referenceAdam(c, weights, x, y, 0.01, 3);
      got.forEach((w, i) => {
        // Compare the change of each weight array (what Adam did), not the weights themselves.
        const dGot = w.map((v, k) => v - weights[i]![k]!);
        const dRef = ref[i]!.map((v, k) => v - weights[i]![k]!);
        const e = relErr(dGot, dRef);
        if (!(e < 1e-3)) throw new Error(`weight ${i}: relative error of the update ${e}`);
      });
    } finally {
      trainer.dispose();
    }
  }, 30_000);

  it('a short training run converges (gru, 2 layers, shuffled batches)', async (ctx) => {
    if (skip || !gpu) return ctx.skip();
    // Target: mean of the last 3 inputs, learnable by any of the cells.
    const n = 96;
    const steps = 6;
    const r = rng(3);
    const x = randomArray(n * steps, r);
    const y = Float32Array.from(
      { length: n },
      (_, i) => (x[i * steps + 3]! + x[i * steps + 4]! + x[i * steps + 5]!) / 3,
    );
    const trainer = await gruTrainer({ layers: [8, 8], features: 1, steps, seed: 5 });
    try {
      trainer.uploadData(x, y);
      const order = Array.from({ length: n }, (_, i) => i);
      const losses: number[] = [];
      for (let e = 0; e < 25; e++) {
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        losses.push(await trainer.trainEpoch(order));
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! / 5);
      // The reported loss is the loss of the predictions.
      const pred = await trainer.predict();
      let mse = 0;
      for (let i = 0; i < n; i++) mse += (pred[i]! - y[i]!) ** 2;
      expect(mse / n).toBeLessThan(losses[0]! / 5);
    } finally {
      trainer.dispose();
    }
  }, 60_000);

  it('evaluation splits stay beside the training data: predictions of the current weights, training unchanged', async (ctx) => {
    if (skip || !gpu) return ctx.skip();
    const steps = 5;
    const r = rng(11);
    const [n, nv] = [40, 37]; // 37 validation windows: 3 batches of 16, the last partial
    const x = randomArray(n * steps * 2, r);
    const y = randomArray(n, r);
    const xv = randomArray(nv * steps * 2, r);
    const make = () => gruTrainer({ layers: [8, 6], features: 2, steps, seed: 9 });
    const [a, b] = [await make(), await make()];
    try {
      a.uploadData(x, y);
      b.uploadData(x, y);
      await expect(a.predictEval('val')).rejects.toThrow(/nothing uploaded under "val"/);
      a.uploadEval('val', xv);
      const before = await a.predictEval('val');
      expect(before.length).toBe(nv);
      const order = Array.from({ length: n }, (_, i) => (i * 7) % n);
      const lossA: number[] = [];
      const lossB: number[] = [];
      for (let e = 0; e < 3; e++) {
        lossA.push(await a.trainEpoch(order));
        lossB.push(await b.trainEpoch(order));
        await a.predictEval('val'); // between epochs, as the trainer validates
      }
      // The evaluation left the training data, its batches and Adam's state alone.
      expect(lossA).toEqual(lossB);
      const after = await a.predictEval('val');
      expect(Array.from(after)).not.toEqual(Array.from(before)); // the current weights, not the first
      // The same windows through predict(x) (which replaces the training data) give the same predictions.
      expect(Array.from(await b.predict(xv))).toEqual(Array.from(after));
    } finally {
      a.dispose();
      b.dispose();
    }
  }, 60_000);

  it('rejects bad input with clear messages', async (ctx) => {
    if (skip || !gpu) return ctx.skip();
    const trainer = await createGpuTrainer({
      cell: 'simpleRNN',
      layers: [3],
      features: 2,
      outputs: 1,
      steps: 4,
      batch: 2,
      optimizer: 'adam',
      learningRate: 0.01,
      loss: 'mse',
      gpu,
    });
    try {
      await expect(trainer.trainEpoch()).rejects.toThrow(/uploadData/);
      expect(() => trainer.uploadData(new Float32Array(7))).toThrow(/multiple of steps×features = 8/);
      expect(() => trainer.uploadData(new Float32Array(16), new Float32Array(3))).toThrow(
        /y has 3 values, expected 2×1/,
      );
      trainer.uploadData(new Float32Array(16), new Float32Array(2));
      await expect(trainer.trainEpoch([0, 2])).rejects.toThrow(/sample index 2 at position 1/);
      await expect(trainer.setWeights([new Float32Array(1)])).rejects.toThrow(/expected 5 weight arrays/);
    } finally {
      trainer.dispose();
    }
  });
});
