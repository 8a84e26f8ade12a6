// Validation/test predictions through the fused forward (worker/kernels/predict.ts): equal to
// TF.js's model.predict of the same model (dropout off at inference), and null where the fused
// path does not cover the model, so evaluation keeps TF.js's predict there.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedRnnLayer, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import { fusedPredictor } from '../../../worker/kernels/predict.js';
import type { Cell } from '../../../core/spec.js';

const [T, F] = [7, 3];

function build(cell: Cell, layers: number, head: [number, string][], outputs: number, out: string, tfLayers = false) {
  const input = tf.input({ shape: [T, F] });
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < layers; i++) {
    const cfg = { units: 6, returnSequences: i < layers - 1 };
    const rnn = tfLayers ? tf.layers.gru(cfg) : fusedRnnLayer({ cell, ...cfg, seed: 4 + i });
    x = rnn.apply(x) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate: 0.3, seed: 9 }).apply(x) as tf.SymbolicTensor;
  }
  for (const [units, activation] of head)
    x = tf.layers.dense({ units, activation: activation as 'relu' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: outputs, activation: out as 'linear' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  shutdownKernelThreads();
});

describe('fused predictor', () => {
  it.each([
    ['lstm', 1, [], 1, 'linear'],
    ['gru', 2, [[5, 'relu']], 3, 'linear'],
    ['simpleRNN', 2, [[4, 'tanh']], 2, 'linear'],
    ['lstm', 1, [[5, 'linear']], 4, 'softmax'],
  ] as const)('%s × %i, head %j, %i outputs, %s: equals model.predict (1e-5)', (cell, layers, head, outputs, out) => {
    const m = build(cell, layers, head as unknown as [number, string][], outputs, out);
    const B = 37;
    const x = tf.randomNormal([B, T, F], 0, 1, 'float32', 3);
    const want = (m.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const got = fusedPredictor(m)!(x.dataSync() as Float32Array, B);
    expect(got.length).toBe(want.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++)
      worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
  });

  it('is null where the fused path does not cover the model (tf.layers RNNs, other activations)', () => {
    expect(fusedPredictor(build('gru', 1, [], 1, 'linear', true))).toBeNull();
    expect(fusedPredictor(build('gru', 1, [[4, 'elu']], 1, 'linear'))).toBeNull();
    expect(fusedPredictor(build('gru', 1, [], 1, 'sigmoid'))).toBeNull();
  });
});
