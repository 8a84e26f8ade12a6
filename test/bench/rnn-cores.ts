// `npm run bench -- --suite rnn --cores [--quick]`: the fused training step (native engine where it
// loads, whole step, split by rows) at every thread count up to the machine's cores, and the
// count it measures by itself, against PyTorch's CPU training with 1 thread and with all the
// cores, in one run. Issue 15's item 3 asks that, on a 16-core machine, the fused step train at
// least as fast as PyTorch 2.x with all its cores, at the same shapes. JSON lines (format:
// ../shared/bench/README.md), with GFLOP/s and % of the machine's FP32 peak. For a lent machine
// without Node: cpu-device.sh bundles it (test/bench/cores-main.ts).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fusedDevice, fusedRnnLayer, shutdownKernelThreads, WasmRnnKernel } from '../../worker/kernels/index.js';
import { maxThreadCount } from '../../worker/kernels/pool.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';
import type { Cell } from '../../core/spec.js';
import { cpuPeak, trainFlopsPerSample } from './cpu-peak.js';

interface CoreShape {
  units: number;
  batch: number;
  steps: number;
  features: number;
}

/** The first round's table shapes, and the headline LSTM 64 / batch 64. */
const SHAPES: CoreShape[] = [
  { units: 64, batch: 64, steps: 50, features: 1 },
  { units: 128, batch: 256, steps: 50, features: 8 },
];
const CELLS: Cell[] = ['lstm', 'gru', 'simpleRNN'];
const TORCH_CELL: Record<Cell, string> = { simpleRNN: 'rnn', lstm: 'lstm', gru: 'gru' };

function stepFor(cell: Cell, s: CoreShape, threads: number | null): { step: FusedTrainStep; model: tf.LayersModel } {
  const model = tf.sequential({
    layers: [
      fusedRnnLayer({
        cell,
        units: s.units,
        returnSequences: false,
        inputShape: [s.steps, s.features],
        seed: 1,
        // null: the count the step measures on its first batches, as a run does
        ...(threads === null ? {} : { kernelFactory: () => new WasmRnnKernel(threads) }),
      }) as tf.layers.Layer,
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return { step: new FusedTrainStep(model, model.optimizer, 'mse'), model };
}

/** Median samples/s of `reps` repetitions of at least 300 ms, after 1.5 s of warm-up (the count is measured then). */
function timeStep(step: FusedTrainStep, s: CoreShape, reps: number): number {
  const x = Float32Array.from({ length: s.batch * s.steps * s.features }, (_, i) => Math.sin(0.1 * i));
  const y = Float32Array.from({ length: s.batch }, (_, i) => Math.cos(i));
  let t0 = performance.now();
  let n = 0;
  do {
    step.trainBatch(x, y, s.batch);
    n++;
  } while (performance.now() - t0 < 1500);
  const batches = Math.max(5, Math.ceil(300 / ((performance.now() - t0) / n)));
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    for (let b = 0; b < batches; b++) step.trainBatch(x, y, s.batch);
    rates.push((batches * s.batch) / ((performance.now() - t0) / 1000));
  }
  return rates.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

/** The first Python that imports torch: the PATH's (a lent machine's), else Debian's (python3-torch). */
function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3'])
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  return null;
}

function torchRow(py: string, script: string, cell: Cell, s: CoreShape, threads: number): Record<string, unknown> {
  const r = spawnSync(
    py,
    [
      script,
      ...['--cell', TORCH_CELL[cell], '--units', `${s.units}`, '--batch', `${s.batch}`],
      ...['--steps', `${s.steps}`, '--features', `${s.features}`, '--threads', `${threads}`, '--batches', '8'],
    ],
    { encoding: 'utf8' },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { impl: 'pytorch', error: (r.stderr || line).trim().split('\n').pop() };
  }
}

export async function cores(opts: { json: boolean; args: string[] }): Promise<void> {
  const quick = opts.args.includes('--quick');
  const i = opts.args.indexOf('--torch');
  const torch = i >= 0 ? opts.args[i + 1]! : '../shared/bench/torch_rnn.py';
  // The TF.js model only holds the weights: the pure-JS backend, whichever the process registered.
  await tf.setBackend('cpu');
  const peak = cpuPeak();
  const py = torchPython();
  const emit = (row: Record<string, unknown>) => {
    if (opts.json) console.log(JSON.stringify({ suite: 'rnn-cores', ...row }));
    else
      console.log(
        Object.entries(row)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      );
  };
  emit({ impl: 'peak', ...peak, engine: fusedDevice() }); // e.g. native avx512 (fma), up to 16 threads
  // Up to the cores, and at most the kernels' 16 threads (a batch's slices).
  const top = Math.min(peak.cores, maxThreadCount());
  const counts = [1, 2, 4, 8, 16].filter((n) => n <= top);
  if (!counts.includes(top)) counts.push(top);
  const reps = quick ? 1 : 3;
  for (const s of quick ? SHAPES.slice(0, 1) : SHAPES) {
    for (const cell of quick ? CELLS.slice(0, 1) : CELLS) {
      const flops = trainFlopsPerSample(cell, s);
      const row = (impl: string, threads: number | string, samplesPerSec: number) => ({
        impl,
        cell,
        ...s,
        threads,
        samplesPerSec: Math.round(samplesPerSec),
        gflops: Math.round((samplesPerSec * flops) / 1e8) / 10,
        pctPeak: Math.round((1000 * samplesPerSec * flops) / 1e9 / peak.gflops) / 10,
      });
      for (const threads of [null, ...counts]) {
        const { step, model } = stepFor(cell, s, threads);
        try {
          emit(row('fused-step', threads ?? 'measured', timeStep(step, s, reps)));
        } finally {
          step.dispose();
          model.dispose();
        }
      }
      if (!existsSync(torch) || !py) {
        emit({ impl: 'pytorch', error: py ? `${torch} not found (pass --torch PATH)` : 'no python3 imports torch' });
        continue;
      }
      for (const threads of [1, peak.cores]) {
        const t = torchRow(py, torch, cell, s, threads);
        emit(typeof t.samplesPerSec === 'number' ? { ...row(String(t.impl), threads, t.samplesPerSec) } : t);
      }
    }
  }
  shutdownKernelThreads();
}
