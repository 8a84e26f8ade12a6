// `npm run bench:gpu [-- --quick] [--large] [--swiftshader] [--torch PATH] [--torch-stack PATH] [--no-tf] [--no-check]`
// GPU training throughput, one JSON line per row (format: ../shared/bench/README.md):
//   - fused: the WGSL trainer (worker/kernels/webgpu) on the machine's WebGPU adapter;
//   - tf.layers on TF.js's `webgpu` backend (same Dawn adapter);
//   - PyTorch (cuDNN) through ../shared/bench/torch_rnn.py --device cuda, when torch sees a GPU.
// Before timing, a correctness check compares the fused gradients with tf.layers on the cpu backend
// on the same adapter (a real GPU can expose races that SwiftShader hides).
// Installs nothing; runs in a few minutes on a GPU. --quick uses tiny shapes (for SwiftShader),
// --sweep adds rows-per-workgroup variants. --large runs issue 15's grid instead (two layers of 128
// and 256 units, 200 steps, 8 features, batch 64/256/1024), with the evaluation's throughput
// (a forward over the same windows, as the trainer's validation after every epoch) beside the
// training's, and PyTorch's from torch_rnn_stack.py (stacked cells); tf.layers is left out there.
// For a lent GPU machine without Node: gpu-device.sh.
// Measured on an NVIDIA H100 (2026-11-26): fused 2.0–4.4× PyTorch 2.11 cuDNN at batch 64 and 1024.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Cell } from '../../core/spec.js';
import { openGpu, type GpuContext } from '../../worker/kernels/webgpu/device.js';
import { loadWebgpuRuntime } from '../../worker/kernels/webgpu/runtime.js';
import { createGpuTrainer, weightShapes } from '../../worker/kernels/webgpu/trainer.js';
import { referenceGradients, relErr } from '../worker/kernels/webgpu/reference.js';
import { openSwiftShader } from '../worker/kernels/webgpu/swiftshader.js';

const argv = process.argv.slice(2);
const has = (f: string) => argv.includes(f);
const arg = (f: string) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = has('--quick');
const large = has('--large');
const CELLS: Cell[] = ['lstm', 'gru', 'simpleRNN'];
interface Shape {
  units: number;
  layers: number;
  batch: number;
  steps: number;
  features: number;
}
const SHAPES: Shape[] = large
  ? (quick ? [8, 16] : [128, 256]).flatMap((units) =>
      (quick ? [4, 8] : [64, 256, 1024]).map((batch) => ({
        units,
        layers: 2,
        batch,
        steps: quick ? 6 : 200,
        features: 8,
      })),
    )
  : quick
    ? [{ units: 8, layers: 1, batch: 8, steps: 5, features: 1 }]
    : [
        { units: 64, layers: 1, batch: 64, steps: 50, features: 1 },
        { units: 64, layers: 1, batch: 1024, steps: 50, features: 1 },
      ];
// Batches per epoch, as torch_rnn.py; the large grid's batches are 10–100× heavier.
const BATCHES = quick ? 4 : large ? 8 : 32;
const REPS = quick ? 2 : 5;

function emit(row: Record<string, unknown>): void {
  console.log(JSON.stringify({ suite: 'gpu', ...row }));
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function randn(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

async function check(gpu: GpuContext): Promise<void> {
  for (const cell of CELLS) {
    const c = {
      cell,
      layers: [24, 17],
      features: 3,
      outputs: 2,
      steps: 9,
      batch: 37,
      recurrentActivation: 'sigmoid' as const,
    };
    const weights = weightShapes(c).map((s, i) =>
      randn(
        s.reduce((a, b) => a * b, 1),
        100 + i,
      ).map((v) => v * 0.3),
    );
    const x = randn(c.batch * c.steps * c.features, 7);
    const y = randn(c.batch * c.outputs, 8);
    const t = await createGpuTrainer({
      ...c,
      optimizer: 'adam',
      learningRate: 0.01,
      loss: 'mse',
      gpu,
      rowsPerGroup: 4,
      splits: 5,
    });
    try {
      await t.setWeights(weights);
      t.uploadData(x, y);
      const got = await t.gradients();
      const ref = await referenceGradients(c, weights, x, y);
      const errs = got.grads.map((g, i) => relErr(g, ref.grads[i]!));
      emit({
        check: 'gradients-vs-tf.layers-cpu',
        cell,
        device: gpu.adapterName,
        maxRelErr: Math.max(...errs),
        lossRelErr: Math.abs(got.loss - ref.loss) / ref.loss,
      });
    } finally {
      t.dispose();
    }
  }
}

async function fused(gpu: GpuContext, cell: Cell, s: Shape, rowsPerGroup?: number): Promise<void> {
  const n = s.batch * BATCHES;
  const t = await createGpuTrainer({
    cell,
    layers: Array.from({ length: s.layers }, () => s.units),
    features: s.features,
    outputs: 1,
    steps: s.steps,
    batch: s.batch,
    optimizer: 'adam',
    learningRate: 1e-3,
    loss: 'mse',
    gpu,
    ...(rowsPerGroup ? { rowsPerGroup } : {}),
  });
  try {
    const x = randn(n * s.steps * s.features, 1);
    t.uploadData(x, randn(n, 2));
    t.uploadEval('val', x); // the evaluation's own copy, as the trainer's validation split
    await t.trainEpoch(); // warm-up: pipelines, first submit
    await t.predictEval('val');
    const rates: number[] = [];
    const evalRates: number[] = [];
    let loss = 0;
    for (let r = 0; r < REPS; r++) {
      let t0 = performance.now();
      loss = await t.trainEpoch();
      rates.push(n / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      await t.predictEval('val');
      evalRates.push(n / ((performance.now() - t0) / 1000));
    }
    emit({
      impl: 'fused',
      backend: 'webgpu',
      device: gpu.adapterName,
      cell,
      ...s,
      rowsPerGroup: rowsPerGroup ?? 'auto',
      samplesPerSec: Math.round(median(rates) * 10) / 10,
      evalSamplesPerSec: Math.round(median(evalRates) * 10) / 10,
      reps: REPS,
      batchesPerEpoch: BATCHES,
      loss: Math.round(loss * 1e5) / 1e5,
    });
  } finally {
    t.dispose();
  }
}

async function tfLayersWebgpu(gpu: GpuContext): Promise<void> {
  const row = { impl: 'tf.layers', backend: 'webgpu', device: gpu.adapterName };
  let tf: typeof import('@tensorflow/tfjs');
  try {
    const rt = await loadWebgpuRuntime();
    // tfjs-backend-webgpu looks for navigator.gpu and the GPU* constants as globals (a browser's).
    Object.assign(globalThis, rt!.globals);
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: gpu.gpu, userAgent: 'node' },
      configurable: true,
      writable: true,
    });
    tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
    await tf.ready();
  } catch (e) {
    emit({ ...row, error: `TF.js webgpu backend unavailable in Node: ${(e as Error).message.split('\n')[0]}` });
    return;
  }
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      try {
        const model = tf.sequential();
        const cfg = { units: s.units, inputShape: [s.steps, s.features] };
        model.add(
          cell === 'lstm' ? tf.layers.lstm(cfg) : cell === 'gru' ? tf.layers.gru(cfg) : tf.layers.simpleRNN(cfg),
        );
        model.add(tf.layers.dense({ units: 1 }));
        model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
        // tf.layers is ~100× slower: 2 batches per timed epoch, 1 warm-up batch.
        const nb = 2;
        const x = tf.randomNormal([s.batch * nb, s.steps, s.features]);
        const y = tf.randomNormal([s.batch * nb, 1]);
        const fit = () => model.fit(x, y, { batchSize: s.batch, epochs: 1, shuffle: false, verbose: 0 });
        await model.fit(x.slice(0, s.batch), y.slice(0, s.batch), { batchSize: s.batch, epochs: 1, verbose: 0 });
        const rates: number[] = [];
        for (let r = 0; r < (quick ? 1 : 2); r++) {
          const t0 = performance.now();
          await fit();
          rates.push((s.batch * nb) / ((performance.now() - t0) / 1000));
        }
        emit({
          ...row,
          cell,
          ...s,
          samplesPerSec: Math.round(median(rates) * 10) / 10,
          reps: rates.length,
          batchesPerEpoch: nb,
        });
        tf.dispose([x, y]);
        model.dispose();
      } catch (e) {
        emit({ ...row, cell, ...s, error: (e as Error).message.split('\n')[0] });
      }
    }
  }
}

function torch(): void {
  // Stacked layers: torch_rnn_stack.py (torch_rnn.py has one layer); gpu-device.sh passes both paths.
  const script = large
    ? (arg('--torch-stack') ?? path.resolve(process.cwd(), 'test/bench/torch_rnn_stack.py'))
    : (arg('--torch') ?? path.resolve(process.cwd(), '../shared/bench/torch_rnn.py'));
  const row = { impl: 'pytorch', backend: 'cuda' };
  if (!fs.existsSync(script)) {
    emit({ ...row, error: `${script} not found (pass --torch PATH)` });
    return;
  }
  const probe = spawnSync('python3', ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' });
  if (probe.status !== 0 || probe.stdout.trim() !== 'True') {
    emit({
      ...row,
      error: `torch with CUDA not available: ${(probe.stderr || probe.stdout || '').trim().split('\n').pop()}`,
    });
    return;
  }
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      const a = [
        '--device',
        'cuda',
        '--cell',
        cell === 'simpleRNN' ? 'rnn' : cell,
        '--units',
        `${s.units}`,
        '--batch',
        `${s.batch}`,
        '--steps',
        `${s.steps}`,
        '--features',
        `${s.features}`,
        '--epochs',
        '5',
        ...(large ? ['--layers', `${s.layers}`, '--batches', `${BATCHES}`] : []),
      ];
      const r = spawnSync('python3', [script, ...a], { encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      try {
        const j = JSON.parse(line) as Record<string, unknown>;
        emit({ ...j, backend: 'cuda', cell });
      } catch {
        emit({ ...row, cell, ...s, error: (r.stderr || line).trim().split('\n').pop() });
      }
    }
  }
}

async function main(): Promise<void> {
  let gpu: GpuContext;
  if (has('--swiftshader')) {
    const r = await openSwiftShader();
    if ('skip' in r) throw new Error(r.skip);
    gpu = r.gpu;
  } else {
    gpu = await openGpu();
  }
  emit({ adapter: gpu.adapterName, isFallback: gpu.isFallback });
  if (!has('--no-check')) await check(gpu);
  for (const s of SHAPES) {
    for (const cell of CELLS) {
      await fused(gpu, cell, s);
      if (!quick && has('--sweep')) for (const rb of [1, 2, 4, 8]) await fused(gpu, cell, s, rb);
    }
  }
  if (!has('--no-torch')) torch();
  if (!has('--no-tf') && !large) await tfLayersWebgpu(gpu);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    emit({ error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  },
);
