// `npm run bench -- --suite rnn [--json] [--quick]`: RNN training throughput (samples/s of a full
// train step: forward, backward, Adam; linear head on the last step; MSE) for SimpleRNN, LSTM and
// GRU at two shapes, comparing tf.layers on the `wasm` and `cpu` backends, the fused kernel
// (worker/kernels), and Debian's PyTorch (../shared/bench/torch_rnn.py) when it is installed.
// Then the peak memory of fused LSTM(128) training, batch 256, 200 steps, 8 features, measured in
// a child process (its maxRSS). Medians of REPS timed repetitions after a warm-up (0.5 s; the
// fused rows 1.5 s, with repetitions of at least 200 ms).
// Rows print as a table, or with --json one JSON line each (../shared/bench/README.md).
// --quick: one batch per repetition. --no-cpu: leave out tf.layers on the cpu backend (minutes).
// --phases: only the per-phase CPU-time profile of the fused LSTM (needs clang).
// --step: only the whole step against the fused layer on the app's default shapes (rnn-step.ts).
// --handoff: only the kernel threads spinning before they sleep against sleeping at once (rnn-handoff.ts).
// --share: only two trainers at once, sharing the cores against each taking all of them (rnn-share.ts).
// --split: only the step cut by batch rows (one hand-off a batch) against the per-layer hand-offs (rnn-split.ts).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdFlag } from '../../core/jobs.js';
import {
  fusedRnnLayer,
  fusedThreads,
  relaxedSimdSupported,
  shutdownKernelThreads,
  WasmRnnKernel,
  nativeEngine,
  type KernelBuild,
  type SimdBuild,
} from '../../worker/kernels/index.js';
import { kernelName } from '../../worker/kernels/modules.js';
import type { Cell } from '../../core/spec.js';
import type { BenchOptions } from './run.js';
import { cpuPeak, trainFlopsPerSample } from './cpu-peak.js';
import { phases } from './rnn-phases.js';
import { stepVsLayer } from './rnn-step.js';
import { handoff } from './rnn-handoff.js';
import { share } from './rnn-share.js';
import { splitBench } from './rnn-split.js';
import { cores } from './rnn-cores.js';
import { printTable, type Row, type Shape } from './rnn-table.js';
import { FusedTrainStep } from '../../worker/kernels/step.js';

const SHAPES: Shape[] = [
  { units: 64, batch: 64, steps: 50, features: 1 },
  { units: 128, batch: 256, steps: 50, features: 8 },
];
const CELLS: Cell[] = ['simpleRNN', 'lstm', 'gru'];
const REPS = 3;
/** The fused runs are cheap: more repetitions make their median steadier on a shared machine. */
const FUSED_REPS = 5;
const TORCH_CELL: Record<Cell, string> = { simpleRNN: 'rnn', lstm: 'lstm', gru: 'gru' };
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

// The flag the trainer gets on Node 20 (core/jobs.ts), so the relaxed-SIMD build can be measured
// here too; a no-op where V8 ships relaxed SIMD.
for (const f of relaxedSimdFlag()) setFlagsFromString(f);

interface FusedOpts {
  threads: number;
  build: KernelBuild;
}

function makeModel(impl: 'fused' | 'layers', cell: Cell, s: Shape, fused?: FusedOpts): tf.LayersModel {
  // tf.layers' orthogonal initialiser warns about every matrix over 2000 values; not news here.
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).startsWith('Orthogonal initializer')) warn(...a);
  };
  try {
    return makeModelQuietly(impl, cell, s, fused);
  } finally {
    console.warn = warn;
  }
}

function makeModelQuietly(impl: 'fused' | 'layers', cell: Cell, s: Shape, fused?: FusedOpts): tf.LayersModel {
  const rnn =
    impl === 'fused'
      ? fusedRnnLayer({
          cell,
          units: s.units,
          returnSequences: false,
          inputShape: [s.steps, s.features],
          ...(fused ? { kernelFactory: () => new WasmRnnKernel(fused.threads, fused.build) } : {}),
        })
      : (cell === 'lstm' ? tf.layers.lstm : cell === 'gru' ? tf.layers.gru : tf.layers.simpleRNN)({
          units: s.units,
          returnSequences: false,
          inputShape: [s.steps, s.features],
        });
  const model = tf.sequential({ layers: [rnn, tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

/**
 * Median samples/s of `reps` repetitions of `batches` train steps each, after one warm-up step.
 * Each step ends by reading the loss, so asynchronous backends cannot run ahead of the clock.
 */
type TrainOne = (x: tf.Tensor, y: tf.Tensor) => Promise<unknown>;

/** trainOnBatch of a model, or the fused step's trainBatch on the same data (the whole step in wasm). */
function trainOne(model: tf.LayersModel, step: FusedTrainStep | null): TrainOne {
  if (!step) return (x, y) => model.trainOnBatch(x, y);
  let data: [Float32Array, Float32Array] | null = null;
  return async (x, y) => {
    data ??= [x.dataSync() as Float32Array, y.dataSync() as Float32Array];
    return step.trainBatch(data[0], data[1], x.shape[0]!);
  };
}

async function timeTraining(
  model: tf.LayersModel,
  s: Shape,
  batches: number,
  reps: number,
  opts: { smallWarmup?: boolean; step?: FusedTrainStep; fused?: boolean } = {},
): Promise<number> {
  const { smallWarmup = false, step = null, fused = false } = opts;
  const x = tf.randomNormal([s.batch, s.steps, s.features], 0, 1, 'float32', 1);
  const y = tf.randomNormal([s.batch, 1], 0, 1, 'float32', 2);
  const train = trainOne(model, step);
  if (smallWarmup) {
    // The slow cases (tf.layers on cpu at the large shape: ~25 s a batch) warm up on 8 rows: the
    // same ops and kernels get initialised without paying a whole batch.
    const [xs, ys] = [x.slice(0, 8), y.slice(0, 8)];
    await train(xs, ys);
    tf.dispose([xs, ys]);
  } else {
    // At least one batch and half a second: the fused path's worker thread and the WebAssembly
    // code settle over the first few calls. The fused rows warm up 1.5 s: in a process's first
    // seconds V8 still compiles the training loop's JavaScript on background threads, and on a
    // machine whose cores all run kernel threads a compile preempts one of them (SimpleRNN 64's
    // 2-thread row read 75,000 samples/s after 0.5 s, 131,000–168,000 after 4,000 batches;
    // worker/kernels/README.md, "Mailboxes instead of messages").
    const t0 = performance.now();
    let warm = 0;
    do {
      await train(x, y);
      warm++;
    } while (performance.now() - t0 < (fused ? 1500 : 500));
    // Repetitions of at least 200 ms: 20 batches of a small shape took 10–15 ms, where one
    // preemption of a kernel thread is 2 ms.
    if (fused) batches = Math.max(batches, Math.ceil(200 / ((performance.now() - t0) / warm)));
  }
  const rates: number[] = [],
    cpuRates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(),
      c0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) await train(x, y);
    const wall = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(c0);
    rates.push((batches * s.batch) / wall);
    cpuRates.push((batches * s.batch) / ((u.user + u.system) / 1e6));
  }
  tf.dispose([x, y]);
  lastCpuRate = median(cpuRates);
  return median(rates);
}

/**
 * Samples per CPU-second (all threads of this process) of the last timeTraining: on a loaded
 * machine wall-clock rates swing with the other processes, work per CPU-second much less.
 */
let lastCpuRate: number | null = null;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Train steps per timed repetition: about a second each, fewer for the slow tf.layers cases. */
function isBig(s: Shape): boolean {
  return s.batch * s.units >= 256 * 128;
}

function batchesFor(impl: string, backend: string, s: Shape, quick: boolean): number {
  if (quick) return 1;
  const big = isBig(s);
  if (impl === 'fused') return big ? 3 : 20;
  if (backend === 'cpu') return 1;
  return big ? 1 : 3;
}

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function torchRow(cell: Cell, s: Shape, quick: boolean): Row | null {
  // ../shared from the main checkout, ../../shared from a worktree under /work/wt.
  const script = ['../shared', '../../shared']
    .map((d) => join(repoRoot, d, 'bench/torch_rnn.py'))
    .find((f) => existsSync(f));
  if (!script) return null;
  const big = isBig(s);
  const out = execFileSync(
    '/usr/bin/python3',
    [
      script,
      '--cell',
      TORCH_CELL[cell],
      '--units',
      String(s.units),
      '--batch',
      String(s.batch),
      '--steps',
      String(s.steps),
      '--features',
      String(s.features),
      '--threads',
      '2',
      '--batches',
      String(quick ? 2 : big ? 2 : 5),
      '--epochs',
      String(quick ? 1 : 2),
    ],
    { encoding: 'utf8' },
  );
  const line = JSON.parse(out.trim().split('\n').pop()!) as {
    impl: string;
    device: string;
    samplesPerSec: number;
    threads: number;
  };
  return {
    suite: 'rnn',
    impl: line.impl,
    backend: line.device,
    cell,
    ...s,
    samplesPerSec: line.samplesPerSec,
    threads: line.threads,
    note: 'mean over epochs',
  };
}

/** Peak RSS of a child process that trains fused LSTM(128), batch 256, 200 steps, 8 features. */
function memoryRow(): Row & { peakRssMB: number } {
  const s: Shape = { units: 128, batch: 256, steps: 200, features: 8 };
  // The layer measures its thread count on the child's batches (no one-second warm-up: 12 calls,
  // then 1 and 2… threads in turn), so the peak includes engines sized for every candidate.
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--memory-child'], {
    encoding: 'utf8',
    env: { ...process.env, RNN_KERNEL_WARMUP_MS: '0' },
  });
  const m = /PEAK (\d+) RATE ([\d.]+)/.exec(child.stdout ?? '');
  if (!m) throw new Error(`memory child failed: ${child.stderr?.slice(-2000)}`);
  return {
    suite: 'rnn',
    impl: 'fused',
    backend: 'wasm',
    cell: 'lstm',
    ...s,
    samplesPerSec: Number(m[2]),
    peakRssMB: Math.round(Number(m[1]) / 1024),
    note: 'peak RSS of the whole training process, its thread-count measurement included',
  };
}

async function memoryChild(): Promise<void> {
  await tf.setBackend('wasm');
  const s: Shape = { units: 128, batch: 256, steps: 200, features: 8 };
  const model = makeModel('fused', 'lstm', s);
  const rate = await timeTraining(model, s, 24, 1);
  // maxRSS is in kilobytes on Linux.
  console.log(`PEAK ${process.resourceUsage().maxRSS} RATE ${rate.toFixed(1)}`);
  shutdownKernelThreads();
}

export async function run(opts: BenchOptions): Promise<void> {
  if (opts.args.includes('--phases')) {
    phases(opts.json, SHAPES, relaxedSimdSupported());
    return;
  }
  if (opts.args.includes('--handoff')) {
    await handoff(opts);
    return;
  }
  if (opts.args.includes('--share')) {
    await share(opts);
    return;
  }
  if (opts.args.includes('--split')) {
    await splitBench(opts);
    return;
  }
  if (opts.args.includes('--cores')) {
    await cores(opts);
    return;
  }
  if (opts.args.includes('--step')) {
    await stepVsLayer(opts);
    return;
  }
  const quick = opts.args.includes('--quick');
  const rows: Row[] = [];
  const peak = cpuPeak();
  if (opts.json) console.log(JSON.stringify({ suite: 'rnn', impl: 'peak', ...peak }));
  const emit = (r: Row) => {
    r.load = round(loadavg()[0]!);
    if (lastCpuRate != null && !r.impl.startsWith('pytorch')) r.samplesPerCpuSec = round(lastCpuRate);
    lastCpuRate = null;
    r.gflops = round((r.samplesPerSec * trainFlopsPerSample(r.cell, r)) / 1e9);
    r.pctPeak = Math.round((1000 * r.gflops) / peak.gflops) / 10;
    rows.push(r);
    if (opts.json) console.log(JSON.stringify(r));
  };
  const withTorch = torchAvailable();
  const wasmBuilds: SimdBuild[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];
  // The native engine (its best instruction set here) where it loads, beside the wasm builds.
  const builds: KernelBuild[] = [...(nativeEngine().ok ? ['native' as const] : []), ...wasmBuilds];
  // The whole step with the best layer build, and with the best wasm build when that is another.
  const stepBuilds: KernelBuild[] = [...new Set([builds[0]!, wasmBuilds[0]!])];
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      for (const backend of opts.args.includes('--no-cpu') ? ['wasm'] : ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const model = makeModel('layers', cell, s);
        const n = batchesFor('tf.layers', backend, s, quick);
        const slow = backend === 'cpu' && isBig(s);
        emit({
          suite: 'rnn',
          impl: 'tf.layers',
          backend,
          cell,
          ...s,
          samplesPerSec: round(await timeTraining(model, s, n, REPS, { smallWarmup: slow })),
          reps: REPS,
        });
        model.dispose();
      }
      await tf.setBackend('wasm');
      // The default (all cores, at most 8 threads), then one thread: what the threads bring; each
      // with relaxed SIMD (FMA) where the runtime has it and with plain SIMD.
      for (const threads of fusedThreads() > 1 ? [fusedThreads(), 1] : [1]) {
        // The layers alone (TF.js around them), then the whole step without TF.js per batch
        // (worker/kernels/step.ts; RNN_FUSED_STEP=1 in the trainer).
        const runs = [
          ...builds.map((build) => ({ build, step: false })),
          ...stepBuilds.map((build) => ({ build, step: true })),
        ];
        for (const { build, step } of runs) {
          const model = makeModel('fused', cell, s, { threads, build });
          const n = batchesFor('fused', 'wasm', s, quick);
          const whole = step ? new FusedTrainStep(model, model.optimizer, 'mse') : undefined;
          emit({
            suite: 'rnn',
            impl: 'fused',
            backend: 'wasm',
            cell,
            ...s,
            samplesPerSec: round(await timeTraining(model, s, n, FUSED_REPS, { step: whole, fused: !quick })),
            reps: FUSED_REPS,
            threads,
            note: step ? `fused-step-${build}` : kernelName(build),
          });
          model.dispose();
        }
      }
      if (withTorch) {
        const r = torchRow(cell, s, quick);
        if (r) emit(r);
      }
    }
  }
  shutdownKernelThreads();
  const mem = memoryRow();
  if (opts.json) console.log(JSON.stringify(mem));
  if (!opts.json) printTable(rows, mem, peak, { shapes: SHAPES, cells: CELLS, reps: REPS, fusedReps: FUSED_REPS });
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

if (process.argv.includes('--memory-child')) {
  memoryChild().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
