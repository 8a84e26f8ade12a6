// The fused layers against tf.layers: same weights and inputs → outputs and every gradient (dx,
// kernel, recurrent kernel, bias) within 1e-4 relative norm, for each cell, stacked layers,
// returnSequences true/false, 1/3/8/11 features, batch 1, units not a multiple of 4, and batches big
// enough to be split over worker threads.
import * as tf from '@tensorflow/tfjs';
import { orthogonal } from '../../../worker/model/orthogonal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fusedRnnLayer, gateCount, shutdownKernelThreads } from '../../../worker/kernels/index.js';
import { CELLS, type Cell } from '../../../core/spec.js';
import { compare, relNorm, type Case } from './compare.js';

const TOL = 1e-4;

const CASES: Omit<Case, 'cell'>[] = [
  { units: 5, batch: 3, steps: 4, features: 1, returnSequences: true },
  { units: 13, batch: 1, steps: 6, features: 3, returnSequences: false },
  { units: 8, batch: 2, steps: 2, features: 8, returnSequences: true },
  { units: 6, batch: 37, steps: 5, features: 2, returnSequences: false }, // split over threads
  { units: 7, batch: 4, steps: 3, features: 3, returnSequences: false, layers: 2 },
  { units: 5, batch: 3, steps: 4, features: 3, returnSequences: true, recurrentActivation: 'sigmoid' },
  // More than 8 features: x.W and dW as products (the weight-gradient product's X columns both
  // share a 4-column panel with h and fill whole panels); the second layer of 10 units has 10 inputs.
  { units: 6, batch: 5, steps: 4, features: 11, returnSequences: false },
  // 40 features: x.W and dx = dZ.W^T as panel products in blocks of 64 of the 80 rows (rnn.c).
  { units: 20, batch: 20, steps: 4, features: 40, returnSequences: false },
  { units: 10, batch: 3, steps: 3, features: 2, returnSequences: true, layers: 2 },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => {
  shutdownKernelThreads();
});

describe.each(CELLS)('fused %s matches tf.layers', (cell) => {
  it.each(CASES)(
    'units $units batch $batch steps $steps features $features seq $returnSequences layers $layers act $recurrentActivation',
    (c) => {
      const diff = compare({ cell, ...c });
      const n = c.layers ?? 1;
      expect(Object.keys(diff).sort()).toEqual(
        [
          'dx',
          'output',
          ...Array.from({ length: n }, (_, i) => [`bias#${i}`, `kernel#${i}`, `recurrent#${i}`]).flat(),
        ].sort(),
      );
      for (const [k, v] of Object.entries(diff)) expect(v, k).toBeLessThan(TOL);
    },
  );

  // tf.layers cannot differentiate a 1-step sequence (its Unpack gradient fails), so the reference
  // for one step is the cell written out with TF.js ops from the zero initial state.
  it('one time step, batch 1, units 13', () => {
    const [B, F, H] = [1, 3, 13];
    const layer = fusedRnnLayer({ cell, units: H, returnSequences: false });
    tf.tidy(() => {
      const x = tf.variable(tf.randomNormal([B, 1, F], 0, 1, 'float32', 5));
      layer.apply(x);
      const G = gateCount(cell);
      layer.setWeights([
        layer.getWeights()[0]!,
        layer.getWeights()[1]!,
        tf.randomNormal([G * H], 0, 0.5, 'float32', 6),
      ]);
      const [k, rk, b] = layer.trainableWeights.map((w) => w.read() as tf.Variable) as [
        tf.Variable,
        tf.Variable,
        tf.Variable,
      ];
      const hard = (z: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
      const reference = () => {
        const h0 = tf.zeros([B, H]);
        const xs = tf.reshape(x, [B, F]);
        if (cell === 'simpleRNN') return tf.tanh(tf.add(tf.add(tf.matMul(xs, k), tf.matMul(h0, rk)), b));
        if (cell === 'lstm') {
          const z = tf.add(tf.add(tf.matMul(xs, k), tf.matMul(h0, rk)), b);
          const [zi, zf, zc, zo] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const c = tf.add(tf.mul(hard(zf), tf.zeros([B, H])), tf.mul(hard(zi), tf.tanh(zc)));
          return tf.mul(hard(zo), tf.tanh(c));
        }
        const [xz, xr, xh] = tf.split(tf.add(tf.matMul(xs, k), b), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const [u1, u2] = tf.split(rk, [2 * H, H], 1) as [tf.Tensor, tf.Tensor];
        const [rz, rr] = tf.split(tf.matMul(h0, u1), 2, 1) as [tf.Tensor, tf.Tensor];
        const z = hard(tf.add(xz, rz)),
          r = hard(tf.add(xr, rr));
        const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h0), u2)));
        return tf.add(tf.mul(z, h0), tf.mul(tf.sub(1, z), hh));
      };
      const r = tf.randomNormal([B, H], 0, 1, 'float32', 7);
      const vars = [x, k, rk, b];
      const run = (f: () => tf.Tensor) => {
        let y: tf.Tensor | null = null;
        const g = tf.variableGrads(() => {
          y = tf.keep(f());
          return tf.sum(tf.mul(y, r)) as tf.Scalar;
        }, vars);
        return { y: y! as tf.Tensor, g: vars.map((v) => g.grads[v.name]!) };
      };
      const a = run(() => layer.apply(x) as tf.Tensor),
        e = run(reference);
      expect(relNorm(a.y, e.y)).toBeLessThan(TOL);
      a.g.forEach((g, i) => expect(relNorm(g, e.g[i]!), `grad ${i}`).toBeLessThan(TOL));
    });
    layer.dispose();
  });
});

describe('fused layer on the TF.js wasm backend', () => {
  it('matches tf.layers (lstm, 2 layers, batch 20 over threads)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    try {
      const diff = compare({
        cell: 'lstm',
        units: 9,
        batch: 20,
        steps: 4,
        features: 3,
        returnSequences: false,
        layers: 2,
      });
      for (const [k, v] of Object.entries(diff)) expect(v, k).toBeLessThan(TOL);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('fused layer configuration', () => {
  it('has tf.layers weight names, shapes and order', () => {
    for (const cell of CELLS) {
      const f = fusedRnnLayer({ cell, units: 5, returnSequences: false, name: `f_${cell}` });
      f.apply(tf.input({ shape: [7, 3] }));
      const G = gateCount(cell);
      expect(f.weights.map((w) => [w.name, w.shape])).toEqual([
        [`f_${cell}/kernel`, [3, G * 5]],
        [`f_${cell}/recurrent_kernel`, [5, G * 5]],
        [`f_${cell}/bias`, [G * 5]],
      ]);
      f.dispose();
    }
  });

  it('gives output shapes for returnSequences true and false', () => {
    const input = tf.input({ shape: [7, 3] });
    expect(
      (fusedRnnLayer({ cell: 'gru', units: 4, returnSequences: true }).apply(input) as tf.SymbolicTensor).shape,
    ).toEqual([null, 7, 4]);
    expect(
      (fusedRnnLayer({ cell: 'gru', units: 4, returnSequences: false }).apply(input) as tf.SymbolicTensor).shape,
    ).toEqual([null, 4]);
  });

  it('seeds its initialisers like the model builder (glorotUniform, orthogonal seed + 1)', () => {
    const a = fusedRnnLayer({ cell: 'lstm', units: 6, returnSequences: false, seed: 42 });
    const b = tf.layers.lstm({
      units: 6,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 42 }),
      recurrentInitializer: orthogonal({ seed: 43 }),
    });
    const input = tf.input({ shape: [4, 2] });
    a.apply(input);
    b.apply(input);
    a.getWeights().forEach((w, i) => expect(relNorm(w, b.getWeights()[i]!)).toBe(0));
  });

  it('unitForgetBias sets the forget block of the LSTM bias to 1', () => {
    const l = fusedRnnLayer({ cell: 'lstm', units: 3, returnSequences: false, unitForgetBias: true });
    l.apply(tf.input({ shape: [4, 2] }));
    expect(Array.from(l.getWeights()[2]!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('rejects bad configurations with a clear message', () => {
    expect(() => fusedRnnLayer({ cell: 'lstm', units: 0, returnSequences: false })).toThrow(
      /units must be a positive integer/,
    );
    expect(() => fusedRnnLayer({ cell: 'conv' as Cell, units: 3, returnSequences: false })).toThrow(
      /cell must be simpleRNN, lstm or gru/,
    );
    const l = fusedRnnLayer({ cell: 'lstm', units: 3, returnSequences: false });
    expect(() => l.apply(tf.input({ shape: [4] }))).toThrow(/expects input \[batch, steps, features\]/);
  });
});
