// `npm run bench -- --suite rnn --split [--json] [--quick]`: the training step cut by batch rows
// (worker/kernels/split-step.ts: each thread runs the whole step for its rows, one hand-off a
// batch) against the per-layer hand-offs (RNN_STEP_SPLIT=0: two per RNN layer, the dense layers
// on the main thread), at the default thread count, with one thread alongside. The variants
// alternate repetition by repetition in one process so that they see the same load; medians and
// bests of samples/s (this machine's load comes and goes: the best says what the code costs, the
// median what a run sees).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fusedRnnLayer, fusedThreads, shutdownKernelThreads, WasmRnnKernel } from '../../worker/kernels/index.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Cell } from '../../core/spec.js';
import type { BenchOptions } from './run.js';
import { loadLine, median } from './rnn-step.js';

interface SplitShape {
  cell: Cell;
  units: number;
  layers: number;
  batch: number;
  steps: number;
  features: number;
  dropout: number;
}

const SHAPES: SplitShape[] = [
  { cell: 'simpleRNN', units: 64, layers: 1, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'gru', units: 64, layers: 1, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'lstm', units: 64, layers: 1, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'gru', units: 64, layers: 1, batch: 32, steps: 24, features: 1, dropout: 0 }, // the app's default
  { cell: 'lstm', units: 64, layers: 2, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'gru', units: 64, layers: 2, batch: 32, steps: 24, features: 1, dropout: 0.2 },
  { cell: 'lstm', units: 128, layers: 1, batch: 256, steps: 50, features: 8, dropout: 0 },
];

function model(s: SplitShape, threads: number, split: boolean): { step: FusedTrainStep; model: tf.LayersModel } {
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < s.layers; i++) {
    layers.push(
      fusedRnnLayer({
        cell: s.cell,
        units: s.units,
        returnSequences: i < s.layers - 1,
        inputShape: i === 0 ? [s.steps, s.features] : undefined,
        seed: 1 + i,
        kernelFactory: () => new WasmRnnKernel(threads),
      }) as tf.layers.Layer,
    );
    if (s.dropout) layers.push(tf.layers.dropout({ rate: s.dropout, seed: 7 + i }));
  }
  layers.push(tf.layers.dense({ units: 1 }));
  const m = tf.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  if (split) delete process.env.RNN_STEP_SPLIT;
  else process.env.RNN_STEP_SPLIT = '0';
  const step = new FusedTrainStep(m, m.optimizer, 'mse');
  delete process.env.RNN_STEP_SPLIT;
  if (((step as unknown as { split: unknown }).split === null) === split)
    throw new Error(`rnn --split: the step did not take the ${split ? 'split' : 'per-layer'} path`);
  return { step, model: m };
}

export async function splitBench(opts: BenchOptions): Promise<void> {
  await tf.setBackend('wasm');
  const reps = opts.args.includes('--quick') ? 5 : 11;
  const threads = fusedThreads();
  if (!opts.json)
    console.log(
      `(${reps} alternating repetitions, ${threads} threads; samples/s, median and best; load average ${loadLine()})\n` +
        'shape (cell H ×L B T F drop)   1 thread   per-layer med/best      split med/best   split/per-layer med  best',
    );
  for (const s of SHAPES) {
    const x = Float32Array.from({ length: s.batch * s.steps * s.features }, (_, i) => Math.sin(0.1 * i));
    const y = Float32Array.from({ length: s.batch }, (_, i) => Math.cos(0.3 * i));
    const variants = { one: model(s, 1, true), layers: model(s, threads, false), split: model(s, threads, true) };
    const got = { one: [] as number[], layers: [] as number[], split: [] as number[] };
    for (const v of Object.values(variants)) for (let i = 0; i < 20; i++) v.step.trainBatch(x, y, s.batch); // warm-up
    // About 0.25 s of one thread's training per repetition and variant.
    const t = performance.now();
    variants.one.step.trainBatch(x, y, s.batch);
    const batches = Math.max(3, Math.round(250 / (performance.now() - t)));
    for (let r = 0; r < reps; r++) {
      const order = (['one', 'layers', 'split'] as const).slice();
      if (r % 2) order.reverse();
      for (const k of order) {
        const t0 = performance.now();
        for (let b = 0; b < batches; b++) variants[k].step.trainBatch(x, y, s.batch);
        got[k].push((batches * s.batch) / ((performance.now() - t0) / 1000));
      }
    }
    const row = {
      suite: 'rnn-split',
      ...s,
      threads,
      oneThread: median(got.one),
      perLayer: median(got.layers),
      perLayerBest: Math.max(...got.layers),
      split: median(got.split),
      splitBest: Math.max(...got.split),
    };
    if (opts.json) console.log(JSON.stringify(row));
    else {
      const f = (v: number, w = 9) => v.toFixed(0).padStart(w);
      const name = `${s.cell} ${s.units} ×${s.layers} ${s.batch} ${s.steps} ${s.features} ${s.dropout}`;
      console.log(
        `${name.padEnd(28)} ${f(row.oneThread, 10)} ${f(row.perLayer)} ${f(row.perLayerBest, 8)} ${f(row.split, 11)} ${f(row.splitBest, 8)} ${(row.split / row.perLayer).toFixed(3).padStart(20)} ${(row.splitBest / row.perLayerBest).toFixed(3).padStart(5)}`,
      );
    }
    for (const v of Object.values(variants)) {
      v.step.dispose();
      v.model.dispose();
    }
  }
  shutdownKernelThreads();
}
