// `npm run bench -- --suite rnn --handoff [--json] [--quick]`: what spinning before sleeping
// brings to the kernel threads' hand-offs (worker/kernels/wasm.ts, RNN_KERNEL_SPIN_US). The whole
// training step in wasm (FusedTrainStep) with the default threads, on the rnn suite's small shape
// for each cell and on the app's default shape, once with the threads sleeping at once (spin 0,
// the behaviour before) and once with the default spin, the two alternating repetition by
// repetition in one process so that both see the same load; one thread alongside, for the scaling.
// Medians of samples/s and samples per CPU-second (spinning costs CPU: the second figure says how much).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import {
  fusedRnnLayer,
  fusedThreads,
  kernelSpinMicros,
  setKernelSpinMicros,
  shutdownKernelThreads,
  WasmRnnKernel,
} from '../../worker/kernels/index.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Cell } from '../../core/spec.js';
import type { BenchOptions } from './run.js';
import { batchOf, loadLine, median } from './rnn-step.js';

export interface HandoffShape {
  cell: Cell;
  units: number;
  batch: number;
  steps: number;
  features: number;
}

const SHAPES: HandoffShape[] = [
  { cell: 'simpleRNN', units: 64, batch: 64, steps: 50, features: 1 },
  { cell: 'lstm', units: 64, batch: 64, steps: 50, features: 1 },
  { cell: 'gru', units: 64, batch: 64, steps: 50, features: 1 },
  { cell: 'gru', units: 64, batch: 32, steps: 24, features: 1 },
  { cell: 'lstm', units: 128, batch: 256, steps: 50, features: 8 },
];

/** The whole training step of one fused RNN layer and a dense head, its kernel from `kernel` (the share bench's too). */
export function stepModel(
  s: HandoffShape,
  kernel: () => WasmRnnKernel,
): { step: FusedTrainStep; model: tf.LayersModel } {
  const model = tf.sequential({
    layers: [
      fusedRnnLayer({
        cell: s.cell,
        units: s.units,
        returnSequences: false,
        inputShape: [s.steps, s.features],
        seed: 1,
        kernelFactory: kernel,
      }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return { step: new FusedTrainStep(model, model.optimizer, 'mse'), model };
}

const step = (s: HandoffShape, threads: number) => stepModel(s, () => new WasmRnnKernel(threads));

export async function handoff(opts: BenchOptions): Promise<void> {
  await tf.setBackend('wasm');
  const reps = opts.args.includes('--quick') ? 5 : 11;
  const spun = kernelSpinMicros() || 2000;
  const threads = fusedThreads();
  if (!opts.json)
    console.log(
      `(${reps} alternating repetitions, ${threads} threads, spin ${spun} µs; load average ${loadLine()})\n` +
        'shape (cell H B T F)        1 thread    sleep at once  /CPU-s    spin  /CPU-s   spin/sleep  spin/1 thread',
    );
  for (const s of SHAPES) {
    const { x, y, xd, yd } = batchOf(s);
    const one = step(s, 1);
    const many = step(s, threads);
    const variants = {
      one: { run: one.step, spin: spun },
      sleep: { run: many.step, spin: 0 },
      spin: { run: many.step, spin: spun },
    };
    const got = { one: [] as number[][], sleep: [] as number[][], spin: [] as number[][] };
    for (const v of Object.values(variants)) for (let i = 0; i < 5; i++) v.run.trainBatch(xd, yd, s.batch); // warm-up
    // About 0.25 s of one thread's training per repetition and variant.
    const t = performance.now();
    one.step.trainBatch(xd, yd, s.batch);
    const batches = Math.max(3, Math.round(250 / (performance.now() - t)));
    for (let r = 0; r < reps; r++) {
      const order = (['one', 'sleep', 'spin'] as const).slice();
      if (r % 2) order.reverse();
      for (const k of order) {
        setKernelSpinMicros(variants[k].spin, false);
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let b = 0; b < batches; b++) variants[k].run.trainBatch(xd, yd, s.batch);
        const u = process.cpuUsage(c0);
        got[k].push([
          (batches * s.batch) / ((performance.now() - t0) / 1000),
          (batches * s.batch) / ((u.user + u.system) / 1e6),
        ]);
      }
    }
    setKernelSpinMicros(spun, true);
    const m = (k: keyof typeof got, i: number) => median(got[k].map((g) => g[i]!));
    const row = {
      suite: 'rnn-handoff',
      ...s,
      threads,
      spinMicros: spun,
      oneThread: m('one', 0),
      sleep: m('sleep', 0),
      sleepPerCpuSec: m('sleep', 1),
      spin: m('spin', 0),
      spinPerCpuSec: m('spin', 1),
      load: loadavg()[0],
    };
    if (opts.json) console.log(JSON.stringify(row));
    else
      console.log(
        `${`${s.cell} ${s.units} ${s.batch} ${s.steps} ${s.features}`.padEnd(24)} ${row.oneThread.toFixed(0).padStart(10)} ${row.sleep.toFixed(0).padStart(16)} ${row.sleepPerCpuSec.toFixed(0).padStart(7)} ${row.spin.toFixed(0).padStart(7)} ${row.spinPerCpuSec.toFixed(0).padStart(7)} ${(row.spin / row.sleep).toFixed(2).padStart(11)}× ${(row.spin / row.oneThread).toFixed(2).padStart(13)}×`,
      );
    tf.dispose([x, y]);
    one.model.dispose();
    many.model.dispose();
  }
  shutdownKernelThreads();
}
