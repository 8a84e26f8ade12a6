// A short training run: the fused layer and tf.layers, from the same initial weights on the same
// noisy sine windows, reach the same validation loss (the gradients agree to ~1e-7, so the runs
// should stay close), and both actually learn.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedRnnLayer, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import type { Cell } from '../../../core/spec.js';
import { tfLayer } from './compare.js';

const LOOKBACK = 12;

function sineWindows(n: number, offset: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  let s = 12345 + offset;
  const noise = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.2;
  };
  const series = Array.from({ length: n + LOOKBACK + offset }, (_, i) => Math.sin(i * 0.3) + noise());
  const xs: number[][][] = [],
    ys: number[][] = [];
  for (let i = offset; i < offset + n; i++) {
    xs.push(series.slice(i, i + LOOKBACK).map((v) => [v]));
    ys.push([series[i + LOOKBACK]!]);
  }
  return { x: tf.tensor3d(xs), y: tf.tensor2d(ys) };
}

function model(rnn: tf.layers.Layer): tf.LayersModel {
  const m = tf.sequential({ layers: [rnn, tf.layers.dense({ units: 1 })] });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  shutdownKernelThreads();
});

describe('training with the fused layer', () => {
  it.each(['lstm', 'gru', 'simpleRNN'] as Cell[])(
    '%s reaches the val loss of tf.layers on a noisy sine',
    async (cell) => {
      const train = sineWindows(256, 0),
        val = sineWindows(64, 300);
      const ref = model(tfLayer(cell, 8, false, { inputShape: [LOOKBACK, 1] }));
      const fused = model(fusedRnnLayer({ cell, units: 8, returnSequences: false, inputShape: [LOOKBACK, 1] }));
      fused.setWeights(ref.getWeights());
      const evalLoss = (m: tf.LayersModel) => (m.evaluate(val.x, val.y) as tf.Scalar).dataSync()[0]!;
      const before = evalLoss(ref);
      const fit = { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 as const };
      await ref.fit(train.x, train.y, fit);
      await fused.fit(train.x, train.y, fit);
      const a = evalLoss(fused),
        b = evalLoss(ref);
      expect(b).toBeLessThan(before * 0.5);
      expect(a).toBeLessThan(before * 0.5);
      expect(Math.abs(a - b) / b).toBeLessThan(0.05);
      tf.dispose([train.x, train.y, val.x, val.y]);
      ref.dispose();
      fused.dispose();
    },
  );
});
