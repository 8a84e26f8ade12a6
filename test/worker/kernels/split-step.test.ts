// The training step cut by batch rows across threads (worker/kernels/split-step.ts, rows-src.ts):
// the same bits whatever the thread count; against the per-layer hand-offs (RNN_STEP_SPLIT=0), the
// RNN layers' weights the same bits after a batch (their gradients come from the same dy, summed
// up the same tree) and the dense layers' within rounding (their gradients are summed per slice
// now); dropout (each thread draws its rows' masks, the same bits as one draw over the batch; masks
// from other uniforms drawn over the batch and copied to the threads); a first batch
// that grows the step engine's memory; what it does not cover going the per-layer way; a worker
// thread that ends mid-run.
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fusedRnnLayer, shutdownKernelThreads, WasmRnnKernel } from '../../../worker/kernels/index.js';
import { post, threadPool } from '../../../worker/kernels/pool.js';
import { defaultKernelBuild } from '../../../worker/kernels/modules.js';
import { splitFits } from '../../../worker/kernels/split-step.js';
import type { MaskUniforms } from '../../../worker/kernels/dropout.js';
import { FusedTrainStep, type StepLoss } from '../../../worker/kernels/step.js';
import type { Cell } from '../../../core/spec.js';
import { relNorm } from './inputs.js';

interface Case {
  cell: Cell;
  units: number[];
  head: number[];
  outputs: number;
  loss: StepLoss;
  T: number;
  F: number;
  dropout?: number;
}

function step(c: Case, threads: number, opt: () => tf.Optimizer = () => tf.train.adam(0.01)) {
  const layers: tf.layers.Layer[] = [];
  c.units.forEach((units, i) => {
    layers.push(
      fusedRnnLayer({
        cell: c.cell,
        units,
        returnSequences: i < c.units.length - 1,
        inputShape: i === 0 ? [c.T, c.F] : undefined,
        seed: 5 + i,
        kernelFactory: () => new WasmRnnKernel(threads),
      }) as tf.layers.Layer,
    );
    if (c.dropout) layers.push(tf.layers.dropout({ rate: c.dropout, seed: 3 }));
  });
  const dense = (units: number, activation: 'tanh' | 'linear' | 'softmax', seed: number) =>
    tf.layers.dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  c.head.forEach((u, j) => layers.push(dense(u, 'tanh', 20 + j)));
  layers.push(dense(c.outputs, c.loss === 'crossentropy' ? 'softmax' : 'linear', 30));
  const model = tf.sequential({ layers });
  model.compile({
    optimizer: opt(),
    loss: c.loss === 'crossentropy' ? 'categoricalCrossentropy' : 'meanSquaredError',
  });
  return { model, step: new FusedTrainStep(model, model.optimizer, c.loss) };
}

function data(c: Case, B: number, seed: number): { x: Float32Array; y: Float32Array } {
  const x = Float32Array.from({ length: B * c.T * c.F }, (_, i) => Math.sin(0.37 * i + seed));
  const y = new Float32Array(B * c.outputs);
  for (let b = 0; b < B; b++)
    if (c.loss === 'crossentropy') y[b * c.outputs + ((b * 7 + seed) % c.outputs)] = 1;
    else for (let j = 0; j < c.outputs; j++) y[b * c.outputs + j] = Math.cos(0.11 * (b * c.outputs + j) + seed);
  return { x, y };
}

/** Trains `batches` batches of B rows; the losses and the weights after them. */
function train(c: Case, threads: number, B: number, batches: number, opt?: () => tf.Optimizer, u?: MaskUniforms) {
  const { model, step: s } = step(c, threads, opt);
  if (u) s.maskUniforms = u;
  const split = (s as unknown as { split: unknown }).split !== null;
  const losses: number[] = [];
  for (let i = 0; i < batches; i++) {
    const { x, y } = data(c, B, i);
    losses.push(s.trainBatch(x, y, B));
  }
  s.syncModel();
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  s.dispose();
  model.dispose();
  return { losses, weights, split };
}

const stacked: Case = { cell: 'gru', units: [12, 9], head: [6], outputs: 2, loss: 'mse', T: 7, F: 3 };
const classes: Case = { cell: 'lstm', units: [10], head: [], outputs: 3, loss: 'crossentropy', T: 5, F: 2 };
const simple: Case = { cell: 'simpleRNN', units: [16], head: [], outputs: 1, loss: 'mse', T: 9, F: 1 };

describe('fused train step cut by rows across threads', () => {
  afterEach(() => {
    delete process.env.RNN_STEP_SPLIT;
  });
  afterAll(() => shutdownKernelThreads());

  for (const [name, c, B] of [
    ['gru 2 layers + tanh head, mse, batch 40 (5 slices)', stacked, 40],
    ['lstm, softmax cross-entropy, batch 24 (3 slices)', classes, 24],
    ['simpleRNN, mse, batch 64 (8 slices)', simple, 64],
  ] as const) {
    it(`${name}: the same bits on 1, 2 and 3 threads over 4 Adam steps`, () => {
      const one = train(c, 1, B, 4);
      expect(one.split).toBe(true);
      for (const th of [2, 3]) {
        const got = train(c, th, B, 4);
        expect(got.split).toBe(true);
        expect(got.losses).toEqual(one.losses);
        got.weights.forEach((w, i) => expect(w, `weights ${i}, ${th} threads`).toEqual(one.weights[i]));
      }
    });
  }

  it('against the per-layer hand-offs after one SGD batch: RNN weights the same bits, dense ones within 1e-6', () => {
    const sgd = () => tf.train.sgd(0.1);
    const split = train(stacked, 2, 40, 1, sgd);
    process.env.RNN_STEP_SPLIT = '0';
    const layers = train(stacked, 2, 40, 1, sgd);
    expect(layers.split).toBe(false);
    expect(split.losses).toEqual(layers.losses); // the same predictions
    // [kernel, recurrent kernel, bias] per RNN layer, then [kernel, bias] per dense layer.
    const rnnWeights = 3 * stacked.units.length;
    split.weights.forEach((w, i) => {
      if (i < rnnWeights) expect(w, `RNN weights ${i}`).toEqual(layers.weights[i]);
      else expect(relNorm(w, layers.weights[i]!), `dense weights ${i}`).toBeLessThan(1e-6);
    });
    // The step changed the dense weights: the comparison is not between two untouched copies.
    const before = step(stacked, 1, sgd);
    const init = before.model.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(relNorm(split.weights[rnnWeights]!, init[rnnWeights]!)).toBeGreaterThan(1e-4);
    before.step.dispose();
    before.model.dispose();
  });

  it('a first batch whose buffers grow the step engine memory trains on the right weights', () => {
    const c: Case = { ...simple, units: [48] };
    const { model, step: s } = step(c, 2, () => tf.train.sgd(0.1));
    const mem = (s as unknown as { ex: { memory: { buffer: ArrayBuffer } } }).ex.memory;
    const before = mem.buffer.byteLength;
    const { x, y } = data(c, 512, 0);
    const loss = s.trainBatch(x, y, 512);
    expect(mem.buffer.byteLength).toBeGreaterThan(before);
    s.syncModel();
    const got = model.getWeights().map((w) => w.dataSync() as Float32Array);
    s.dispose();
    model.dispose();
    process.env.RNN_STEP_SPLIT = '0';
    const want = train(c, 2, 512, 1, () => tf.train.sgd(0.1));
    expect(loss).toBe(want.losses[0]);
    got.slice(0, 3).forEach((w, i) => expect(w, `RNN weights ${i}`).toEqual(want.weights[i]));
  });

  it('with dropout after each layer: the same bits on 1 and 3 threads, and the per-layer RNN weights after a batch', () => {
    const c: Case = { ...stacked, dropout: 0.3 };
    const sgd = () => tf.train.sgd(0.1);
    const one = train(c, 1, 40, 3, sgd);
    const three = train(c, 3, 40, 3, sgd);
    expect(one.split && three.split).toBe(true);
    expect(three.losses).toEqual(one.losses);
    three.weights.forEach((w, i) => expect(w, `weights ${i}`).toEqual(one.weights[i]));
    const split = train(c, 2, 40, 1, sgd);
    process.env.RNN_STEP_SPLIT = '0';
    const layers = train(c, 2, 40, 1, sgd);
    expect(layers.split).toBe(false);
    expect(split.losses).toEqual(layers.losses); // the same masks, the same predictions
    split.weights
      .slice(0, 3 * c.units.length)
      .forEach((w, i) => expect(w, `RNN weights ${i}`).toEqual(layers.weights[i]));
    // Without the masks the loss differs: they were applied.
    delete process.env.RNN_STEP_SPLIT;
    expect(train(stacked, 2, 40, 1, sgd).losses[0]).not.toBe(split.losses[0]);
  });

  it('with dropout from other uniforms (drawn over the batch on the main thread, copied to the threads): the same bits on 1 and 3 threads', () => {
    const c: Case = { ...stacked, dropout: 0.3 };
    const sgd = () => tf.train.sgd(0.1);
    // Uniforms that depend on the layer, the element and the step, as TF.js's do.
    const u: MaskUniforms = (layer, n, it) =>
      Float32Array.from({ length: n }, (_, k) => (k * 0.618034 + layer * 0.3 + it * 0.17) % 1);
    const one = train(c, 1, 40, 3, sgd, u);
    const three = train(c, 3, 40, 3, sgd, u);
    expect(three.losses).toEqual(one.losses);
    three.weights.forEach((w, i) => expect(w, `weights ${i}`).toEqual(one.weights[i]));
    // They were used: the default masks give another loss.
    expect(train(c, 3, 40, 1, sgd).losses[0]).not.toBe(one.losses[0]);
  });

  it('RNN_STEP_SPLIT=0 and layer counts past the mailbox header go the per-layer way', () => {
    process.env.RNN_STEP_SPLIT = '0';
    expect(train(simple, 2, 16, 1).split).toBe(false);
    expect(splitFits(8, 8)).toBe(true);
    expect(splitFits(22, 0)).toBe(true);
    expect(splitFits(23, 0)).toBe(false);
  });

  // Last: it leaves the pool a thread short.
  it('a thread that ends mid-run: the batch throws a clear error, the next one trains without it, the same bits', () => {
    const B = 32;
    const want = train(simple, 1, B, 3);
    const { model, step: s } = step(simple, 2);
    const batches = [0, 1, 2].map((i) => data(simple, B, i));
    s.trainBatch(batches[0]!.x, batches[0]!.y, B);
    post(threadPool(defaultKernelBuild(), 2)[0]!, { op: 'exit' });
    expect(() => s.trainBatch(batches[1]!.x, batches[1]!.y, B)).toThrow(/a worker thread exited/);
    // The failed batch changed nothing: the weights are those after batch 0.
    const losses = [1, 2].map((i) => s.trainBatch(batches[i]!.x, batches[i]!.y, B));
    expect(losses).toEqual(want.losses.slice(1));
    s.syncModel();
    model.getWeights().forEach((w, i) => expect(w.dataSync(), `weights ${i}`).toEqual(want.weights[i]));
    s.dispose();
    model.dispose();
  });
});
