// `npm run bench -- --suite rnn --step [--json]`: the whole training step in WebAssembly
// (worker/kernels/step.ts) against the fused layer under TF.js's trainOnBatch, on the shapes the
// app trains by default (RunSpec defaults: GRU 64, batch 32, lookback 24 as `auto` gives hourly
// data, 1 feature; also LSTM, and with dropout 0.2) and the rnn suite's two shapes. Repetitions
// alternate between the two so that both see the same load; the figure that counts on a shared
// machine is samples per CPU-second (all threads of this process), and the same-run ratio.
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { fusedRnnLayer, shutdownKernelThreads } from '../../worker/kernels/index.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Cell } from '../../core/spec.js';
import type { BenchOptions } from './run.js';

interface StepShape {
  cell: Cell;
  units: number;
  batch: number;
  steps: number;
  features: number;
  dropout: number;
}

const SHAPES: StepShape[] = [
  { cell: 'gru', units: 64, batch: 32, steps: 24, features: 1, dropout: 0 },
  { cell: 'lstm', units: 64, batch: 32, steps: 24, features: 1, dropout: 0 },
  { cell: 'gru', units: 64, batch: 32, steps: 24, features: 1, dropout: 0.2 },
  { cell: 'gru', units: 64, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'lstm', units: 64, batch: 64, steps: 50, features: 1, dropout: 0 },
  { cell: 'gru', units: 128, batch: 256, steps: 50, features: 8, dropout: 0 },
];

function model(s: StepShape): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    fusedRnnLayer({ cell: s.cell, units: s.units, returnSequences: false, inputShape: [s.steps, s.features], seed: 1 }),
  ];
  if (s.dropout > 0) layers.push(tf.layers.dropout({ rate: s.dropout, seed: 8 }));
  layers.push(tf.layers.dense({ units: 1 }));
  const m = tf.sequential({ layers });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return m;
}

/** Samples/s and samples per CPU-second of `batches` steps. */
async function timed(train: () => Promise<unknown>, batches: number, B: number): Promise<[number, number]> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let b = 0; b < batches; b++) await train();
  const u = process.cpuUsage(c0);
  return [(batches * B) / ((performance.now() - t0) / 1000), (batches * B) / ((u.user + u.system) / 1e6)];
}

export const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** The load averages, as the step benches print them. */
export const loadLine = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** A batch of seeded random inputs and targets for a shape, as tensors and as their arrays. */
export function batchOf(s: { batch: number; steps: number; features: number }) {
  const x = tf.randomNormal([s.batch, s.steps, s.features], 0, 1, 'float32', 1);
  const y = tf.randomNormal([s.batch, 1], 0, 1, 'float32', 2);
  return { x, y, xd: x.dataSync() as Float32Array, yd: y.dataSync() as Float32Array };
}

export async function stepVsLayer(opts: BenchOptions): Promise<void> {
  await tf.setBackend('wasm');
  const reps = opts.args.includes('--quick') ? 3 : 7;
  if (!opts.json)
    console.log(
      `(${reps} alternating repetitions; load average ${loadLine()})\n` +
        'shape (cell H B T F dropout)   layer samples/s  /CPU-s   whole step samples/s  /CPU-s   step/layer per CPU-s',
    );
  for (const s of SHAPES) {
    const { x, y, xd, yd } = batchOf(s);
    const layerModel = model(s);
    const stepModel = model(s);
    const step = new FusedTrainStep(stepModel, stepModel.optimizer, 'mse');
    const runs = {
      layer: () => layerModel.trainOnBatch(x, y),
      step: async () => step.trainBatch(xd, yd, s.batch),
    };
    const batches = s.batch * s.units >= 256 * 128 ? 3 : 15;
    for (const r of Object.values(runs)) for (let i = 0; i < 5; i++) await r(); // warm-up
    const got = { layer: [] as [number, number][], step: [] as [number, number][] };
    for (let r = 0; r < reps; r++)
      for (const k of r % 2 ? (['step', 'layer'] as const) : (['layer', 'step'] as const))
        got[k].push(await timed(runs[k], batches, s.batch));
    const [lw, lc] = [median(got.layer.map((g) => g[0])), median(got.layer.map((g) => g[1]))];
    const [sw, sc] = [median(got.step.map((g) => g[0])), median(got.step.map((g) => g[1]))];
    const name = `${s.cell} ${s.units} ${s.batch} ${s.steps} ${s.features} ${s.dropout}`;
    const row = {
      suite: 'rnn-step',
      ...s,
      layer: lw,
      layerPerCpuSec: lc,
      step: sw,
      stepPerCpuSec: sc,
      ratioPerCpuSec: sc / lc,
      load: loadavg()[0],
    };
    if (opts.json) console.log(JSON.stringify(row));
    else
      console.log(
        `${name.padEnd(29)} ${lw.toFixed(0).padStart(15)} ${lc.toFixed(0).padStart(7)} ${sw.toFixed(0).padStart(21)} ${sc.toFixed(0).padStart(7)} ${(sc / lc).toFixed(2).padStart(10)}×`,
      );
    tf.dispose([x, y]);
    layerModel.dispose();
    stepModel.dispose();
  }
  if (!opts.json)
    console.log(
      `(load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
  shutdownKernelThreads();
}
