// `npm run bench -- --suite rnn [--json] [--quick]`: RNN training throughput (samples/s of a full
// train step: forward, backward, Adam; linear head on the last step; MSE) for SimpleRNN, LSTM and
// GRU at two shapes, comparing tf.layers on the `wasm` and `cpu` backends, the fused kernel
// (worker/kernels), and Debian's PyTorch (../shared/bench/torch_rnn.py) when it is installed.
// Then the peak memory of fused LSTM(128) training, batch 256, 200 steps, 8 features, measured in
// a child process (its maxRSS). Medians of REPS timed repetitions after one warm-up batch.
// Rows print as a table, or with --json one JSON line each (../shared/bench/README.md).
// --quick: one batch per repetition. --phases: only the per-phase CPU-time profile of the fused
// LSTM (needs clang), the evidence of where its time goes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fusedImplName,
  fusedRnnLayer,
  fusedThreads,
  shutdownKernelThreads,
  WasmRnnKernel,
} from '../../worker/kernels/index.js';
import type { Cell } from '../../core/spec.js';
import type { BenchOptions } from './run.js';

interface Shape {
  units: number;
  batch: number;
  steps: number;
  features: number;
}
interface Row extends Shape {
  suite: 'rnn';
  impl: string;
  backend: string;
  cell: Cell;
  samplesPerSec: number;
  reps?: number;
  threads?: number;
  note?: string;
  /** 1-minute load average when the row was measured: the machine is shared, and a load above
   * the core count slows every implementation (multi-threaded ones most). */
  load?: number;
}

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

function makeModel(impl: 'fused' | 'layers', cell: Cell, s: Shape, threads?: number): tf.LayersModel {
  // tf.layers' orthogonal initialiser warns about every matrix over 2000 values; not news here.
  const warn = console.warn;
  console.warn = (...a: unknown[]) => {
    if (!String(a[0]).startsWith('Orthogonal initializer')) warn(...a);
  };
  try {
    return makeModelQuietly(impl, cell, s, threads);
  } finally {
    console.warn = warn;
  }
}

function makeModelQuietly(impl: 'fused' | 'layers', cell: Cell, s: Shape, threads?: number): tf.LayersModel {
  const rnn =
    impl === 'fused'
      ? fusedRnnLayer({
          cell,
          units: s.units,
          returnSequences: false,
          inputShape: [s.steps, s.features],
          ...(threads ? { kernelFactory: () => new WasmRnnKernel(threads) } : {}),
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
async function timeTraining(
  model: tf.LayersModel,
  s: Shape,
  batches: number,
  reps: number,
  smallWarmup = false,
): Promise<number> {
  const x = tf.randomNormal([s.batch, s.steps, s.features], 0, 1, 'float32', 1);
  const y = tf.randomNormal([s.batch, 1], 0, 1, 'float32', 2);
  if (smallWarmup) {
    // The slow cases (tf.layers on cpu at the large shape: ~25 s a batch) warm up on 8 rows: the
    // same ops and kernels get initialised without paying a whole batch.
    const [xs, ys] = [x.slice(0, 8), y.slice(0, 8)];
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  } else {
    // At least one batch and half a second: the fused path's worker thread and the WebAssembly
    // code settle over the first few calls.
    const t0 = performance.now();
    do await model.trainOnBatch(x, y);
    while (performance.now() - t0 < 500);
  }
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) await model.trainOnBatch(x, y);
    rates.push((batches * s.batch) / ((performance.now() - t0) / 1000));
  }
  tf.dispose([x, y]);
  return median(rates);
}

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
  const script = join(repoRoot, '../shared/bench/torch_rnn.py');
  if (!existsSync(script)) return null;
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
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--memory-child'], {
    encoding: 'utf8',
    env: { ...process.env },
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
    note: 'peak RSS of the whole training process',
  };
}

async function memoryChild(): Promise<void> {
  await tf.setBackend('wasm');
  const s: Shape = { units: 128, batch: 256, steps: 200, features: 8 };
  const model = makeModel('fused', 'lstm', s);
  const rate = await timeTraining(model, s, 2, 1);
  // maxRSS is in kilobytes on Linux.
  console.log(`PEAK ${process.resourceUsage().maxRSS} RATE ${rate.toFixed(1)}`);
  shutdownKernelThreads();
}

/**
 * `--phases`: where the fused LSTM's time goes. Builds the kernel with -DRNN_PROFILE (needs clang)
 * and times each phase in CPU time of this thread (immune to other processes taking the cores),
 * minimum over repetitions, for one thread's slice (half the batch) of each shape.
 */
function phases(json: boolean): void {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-prof-'));
  const file = join(dir, 'rnn-prof.wasm');
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-kernels.mjs'), '--out', file, '--profile'], {
    stdio: 'inherit',
  });
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const WA = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (b: Uint8Array) => object;
        Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
      };
    }
  ).WebAssembly;
  const ex = new WA.Instance(new WA.Module(readFileSync(file)), { env: { now: cpuMs } }).exports as {
    memory: { buffer: ArrayBuffer };
    rnn_setup(...a: number[]): number;
    rnn_ptr(i: number): number;
    rnn_forward(): void;
    rnn_backward(): void;
    rnn_prof(): number;
  };
  rmSync(dir, { recursive: true, force: true });
  const names = [
    'input projection',
    'forward h.U per step',
    'forward gate math',
    'backward gate math',
    'backward dZ.U^T per step',
    'weight gradients (dU, dW, db, dx)',
    'dx layout',
  ];
  for (const s of SHAPES) {
    const [B, T, F, H] = [s.batch / 2, s.steps, s.features, s.units];
    const GH = 4 * H;
    if (ex.rnn_setup(1, 0, B, T, F, H, 0) !== 0) throw new Error('rnn_setup failed');
    const view = (p: number, n: number) => new Float32Array(ex.memory.buffer, ex.rnn_ptr(p), n);
    const fill = (p: number, n: number, sc: number) =>
      view(p, n).set(Float32Array.from({ length: n }, () => (Math.random() - 0.5) * sc));
    fill(4, B * T * F, 2);
    fill(0, F * GH, 0.6);
    fill(1, H * GH, 0.3);
    fill(12, B * H, 1);
    const prof = new Float64Array(ex.memory.buffer, ex.rnn_prof(), 8);
    const best = new Array<number>(8).fill(Infinity);
    for (let r = 0; r < 12; r++) {
      prof.fill(0);
      ex.rnn_forward();
      ex.rnn_backward();
      prof.forEach((v, i) => {
        best[i] = Math.min(best[i]!, v);
      });
    }
    const flops = [0, 2 * B * H * GH * T, 0, 0, 2 * B * H * GH * (T - 1), 2 * B * T * GH * (H + 2 * F), 0];
    const total = best.slice(0, 7).reduce((a, b) => a + b, 0);
    if (!json)
      console.log(
        `fused LSTM phases, one thread's slice (H ${H}, B ${B}, T ${T}, F ${F}): ${total.toFixed(2)} ms CPU per forward+backward`,
      );
    names.forEach((n, i) => {
      const gflops = flops[i] ? flops[i]! / best[i]! / 1e6 : null;
      if (json)
        console.log(
          JSON.stringify({
            suite: 'rnn',
            impl: 'fused-phases',
            cell: 'lstm',
            units: H,
            batch: B,
            steps: T,
            features: F,
            phase: n,
            cpuMs: round(best[i]!),
            gflops: gflops && round(gflops),
          }),
        );
      else
        console.log(
          `  ${n.padEnd(36)} ${best[i]!.toFixed(2).padStart(7)} ms ${((100 * best[i]!) / total).toFixed(0).padStart(3)}%${gflops ? `  ${gflops.toFixed(1)} GFLOP/s` : ''}`,
        );
    });
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  if (opts.args.includes('--phases')) {
    phases(opts.json);
    return;
  }
  const quick = opts.args.includes('--quick');
  const rows: Row[] = [];
  const emit = (r: Row) => {
    r.load = round(loadavg()[0]!);
    rows.push(r);
    if (opts.json) console.log(JSON.stringify(r));
  };
  const withTorch = torchAvailable();
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      for (const backend of ['wasm', 'cpu']) {
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
          samplesPerSec: round(await timeTraining(model, s, n, REPS, slow)),
          reps: REPS,
        });
        model.dispose();
      }
      await tf.setBackend('wasm');
      // The default (all cores, at most 8 threads), then one thread: what the threads bring.
      for (const threads of fusedThreads() > 1 ? [fusedThreads(), 1] : [1]) {
        const model = makeModel('fused', cell, s, threads);
        const n = batchesFor('fused', 'wasm', s, quick);
        emit({
          suite: 'rnn',
          impl: 'fused',
          backend: 'wasm',
          cell,
          ...s,
          samplesPerSec: round(await timeTraining(model, s, n, FUSED_REPS)),
          reps: FUSED_REPS,
          threads,
          note: fusedImplName(),
        });
        model.dispose();
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
  if (!opts.json) printTable(rows, mem);
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function printTable(rows: Row[], mem: Row & { peakRssMB: number }): void {
  const loads = rows.map((r) => r.load ?? 0);
  console.log(
    `samples/s of a full train step (median of ${REPS} reps, fused ${FUSED_REPS}, after warm-up); fused = ${fusedImplName()}, ${fusedThreads()} threads; ` +
      `${availableParallelism()} cores, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run`,
  );
  console.log(
    'cell       shape (H,B,T,F)   tf.layers wasm  tf.layers cpu      fused  fused 1 thr   torch   fused/wasm  fused/torch',
  );
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      const pick = (f: (r: Row) => boolean) =>
        rows.find((r) => r.cell === cell && r.units === s.units && r.batch === s.batch && f(r));
      const w = pick((r) => r.impl === 'tf.layers' && r.backend === 'wasm')?.samplesPerSec;
      const c = pick((r) => r.impl === 'tf.layers' && r.backend === 'cpu')?.samplesPerSec;
      const f = pick((r) => r.impl === 'fused' && r.threads === fusedThreads())?.samplesPerSec;
      const f1 = pick((r) => r.impl === 'fused' && r.threads === 1)?.samplesPerSec;
      const t = pick((r) => r.impl.startsWith('pytorch'))?.samplesPerSec;
      const fmt = (v: number | undefined, w = 14) => (v == null ? '—' : v.toFixed(0)).padStart(w);
      const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(1)}×` : '—').padStart(11);
      console.log(
        `${cell.padEnd(10)} ${`${s.units},${s.batch},${s.steps},${s.features}`.padEnd(16)}${fmt(w)} ${fmt(c)} ${fmt(f, 10)} ${fmt(f1, 12)} ${fmt(t, 7)} ${ratio(f, w)}  ${ratio(f, t)}`,
      );
    }
  }
  console.log(
    `peak RSS of fused LSTM(128) training, batch 256, 200 steps, 8 features: ${mem.peakRssMB} MB (${mem.samplesPerSec} samples/s)`,
  );
}

if (process.argv.includes('--memory-child')) {
  memoryChild().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
