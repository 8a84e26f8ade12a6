// Dropout in the fused train step (worker/kernels/dropout.ts): given TF.js's own uniforms, one
// step equals TF.js's trainOnBatch with Dropout layers (SGD gradients to 1e-4, Adam over 5 steps
// to 1e-3); by default the masks are fresh per batch, seeded, with TF.js's keep rule and scale.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedRnnLayer, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import {
  applyDropout,
  drawSeededMask,
  dropoutMask,
  fillMask,
  keptFrom,
  maskStreamStart,
  seededUniforms,
} from '../../../worker/kernels/dropout.js';
import { FusedTrainStep, fusedStepUnsupported } from '../../../worker/kernels/step.js';
import type { Cell } from '../../../core/spec.js';
import { relNorm } from './inputs.js';

const [T, F, H] = [6, 3, 7];
const SEEDS = [107, 207];

/** [fused RNN, dropout] × layers, a dense head, a linear output: what model/build.ts makes. */
function build(cell: Cell, layers: number, rate: number, opt: tf.Optimizer) {
  const input = tf.input({ shape: [T, F] });
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < layers; i++) {
    x = fusedRnnLayer({ cell, units: H, returnSequences: i < layers - 1, seed: 3 + i }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate, seed: SEEDS[i]! }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.dense({ units: 5, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  return m;
}

const flat = (m: tf.LayersModel) => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.dataSync())));

/** TF.js's uniforms: a seeded Dropout layer draws randomUniform(shape, 0, 1, 'float32', seed) at every call. */
const tfjsUniforms = (layer: number, n: number) =>
  tf.tidy(() => tf.randomUniform([n], 0, 1, 'float32', SEEDS[layer]!).dataSync());

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  shutdownKernelThreads();
});

describe('fused train step with dropout', () => {
  it.each([
    ['lstm', 1, 0.3],
    ['gru', 2, 0.5],
    ['simpleRNN', 2, 0.2],
  ] as const)(
    '%s, %i layer(s), rate %s: with TF.js uniforms one SGD step equals trainOnBatch (1e-4)',
    async (cell, layers, rate) => {
      const lr = 0.1;
      const ref = build(cell, layers, rate, tf.train.sgd(lr));
      const optMine = tf.train.sgd(lr);
      const mine = build(cell, layers, rate, optMine);
      mine.setWeights(ref.getWeights());
      expect(fusedStepUnsupported(mine, 'mse', optMine)).toBeNull();
      const x = tf.randomNormal([20, T, F], 0, 1, 'float32', 5);
      const y = tf.randomNormal([20, 2], 0, 1, 'float32', 6);
      const w0 = flat(ref);
      const step = new FusedTrainStep(mine, optMine, 'mse');
      step.maskUniforms = tfjsUniforms;
      const l1 = step.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, 20);
      const l0 = (await ref.trainOnBatch(x, y)) as number;
      step.syncModel();
      const gRef = flat(ref).map((v, i) => (w0[i]! - v) / lr),
        gMine = flat(mine).map((v, i) => (w0[i]! - v) / lr);
      expect(relNorm(gMine, gRef)).toBeLessThan(1e-4);
      expect(Math.abs(l1 - l0) / l0).toBeLessThan(1e-5);
      tf.dispose([x, y]);
    },
  );

  it('with TF.js uniforms, Adam follows trainOnBatch over 5 steps (1e-3)', async () => {
    const ref = build('lstm', 2, 0.25, tf.train.adam(0.01));
    const optMine = tf.train.adam(0.01);
    const mine = build('lstm', 2, 0.25, optMine);
    mine.setWeights(ref.getWeights());
    const w0 = flat(ref);
    const step = new FusedTrainStep(mine, optMine, 'mse');
    step.maskUniforms = tfjsUniforms;
    for (let s = 0; s < 5; s++) {
      const x = tf.randomNormal([16, T, F], 0, 1, 'float32', 20 + s);
      const y = tf.randomNormal([16, 2], 0, 1, 'float32', 30 + s);
      await ref.trainOnBatch(x, y);
      step.trainBatch(x.dataSync() as Float32Array, y.dataSync() as Float32Array, 16);
      tf.dispose([x, y]);
    }
    step.syncModel();
    const dRef = flat(ref).map((v, i) => v - w0[i]!),
      dMine = flat(mine).map((v, i) => v - w0[i]!);
    expect(relNorm(dMine, dRef)).toBeLessThan(1e-3);
  });

  it("default masks: TF.js's keep rule and scale, a fresh mask per step, the same for the same seed and step", () => {
    const n = 20_000;
    const u = seededUniforms([11, 12]);
    const mask = (layer: number, it: number, rate: number) => {
      const x = new Float32Array(n).fill(1);
      const m = new Float32Array(n);
      applyDropout(x, m, u(layer, n, it), rate);
      expect(Array.from(x)).toEqual(Array.from(m)); // x ⊙ mask with x = 1
      return m;
    };
    const a = mask(0, 0, 0.3);
    const scale = Math.fround(1 / Math.fround(0.7));
    expect(new Set(a)).toEqual(new Set([0, scale]));
    const kept = a.filter((v) => v > 0).length / n;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.02);
    // Expectation preserved: mean of the mask ≈ 1.
    expect(Math.abs(a.reduce((s, v) => s + v, 0) / n - 1)).toBeLessThan(0.03);
    expect(Array.from(mask(0, 0, 0.3))).toEqual(Array.from(a));
    const b = mask(0, 1, 0.3);
    const c = mask(1, 0, 0.3);
    const same = (p: Float32Array, q: Float32Array) => p.filter((v, i) => v === q[i]).length / n;
    expect(same(a, b)).toBeLessThan(0.7); // independent masks agree on ~0.7² + 0.3² = 58%
    expect(same(a, c)).toBeLessThan(0.7);
    // The TF.js rule at the edge: u + keep rounding up to 1 in float32 keeps the value.
    const x = Float32Array.of(2, 2);
    applyDropout(x, new Float32Array(2), [Math.fround(0.3) - 1e-9, 0.29], 0.3);
    expect(Array.from(x)).toEqual([2 * scale, 0].map(Math.fround));
  });

  it('default masks drawn in one pass (fillMask, drawSeededMask): the two-pass masks bit for bit, from any stream position', () => {
    const u = seededUniforms([11, 12, 0x7fffffff]);
    const n = 5003;
    for (const [layer, it, rate] of [
      [0, 0, 0.3],
      [1, 7, 0.5],
      [2, 123456, 0.05],
      // Rates at the ends: the keep threshold (MASK_JS keptFrom) found where the float rule turns.
      [0, 3, 0.9],
      [1, 4, 1e-6],
      [2, 5, 0.999],
    ] as const) {
      const want = new Float32Array(n);
      dropoutMask(want, u(layer, n, it), rate);
      const got = new Float32Array(n);
      fillMask(got, u, layer, it, rate);
      expect(got).toEqual(want);
      // A run of the stream from its middle: a thread drawing its own rows would start there.
      const part = new Float32Array(1000);
      drawSeededMask(part, maskStreamStart([11, 12, 0x7fffffff][layer]!, layer, it), rate, 2001);
      expect(part).toEqual(want.subarray(2001, 3001));
    }
    // The threshold the one-pass draw compares with is where the float rule turns, at any rate.
    for (const rate of [0.3, 0.5, 0.05, 0.9, 1e-6, 0.999, 0]) {
      const keep = Math.fround(1 - rate);
      const K = keptFrom(keep);
      for (let v = Math.max(0, K - 3000); v < Math.min(2 ** 32, K + 3000); v++)
        expect(Math.fround(Math.fround(v / 2 ** 32) + keep) >= 1, `rate ${rate}, v ${v}`).toBe(v >= K);
    }
    // Uniforms other than the default (tests pass TF.js's) still go through dropoutMask.
    const ones = new Float32Array(4);
    fillMask(ones, () => [0.9, 0.1, 0.9, 0.1], 0, 0, 0.5);
    expect(Array.from(ones)).toEqual([2, 0, 2, 0]);
  });
});
