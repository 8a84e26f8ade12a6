// `npm run bench -- --suite onnx [--json] [--quick]`: inference on raw windows with an exported
// LSTM(64) (lookback 50, 1 feature; trained one short epoch through the real service), comparing
// ONNX Runtime on model.onnx (onnxruntime-node, default threads and 1 thread) with the TF.js reload
// of the same run's tfjs export (worker/export/load.ts predictRaw) on the `cpu` and `wasm`
// backends, in the same process. End to end: raw windows in, forecasts in the target's units out
// (scaling included on both sides). Medians of REPS timed repetitions after one warm-up; also the
// largest relative difference between the two outputs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import type { BenchOptions } from './run.js';
import { createService } from '../../core/service.js';
import { loadExport, predictRaw } from '../../worker/export/load.js';
import { ok, sineCsv, tempDir } from '../helpers.js';
import { runOnnxExport } from '../worker/export/onnx-runtime.js';

interface Row {
  suite: 'onnx';
  impl: string;
  backend: string;
  cell: 'lstm';
  units: 64;
  windows: number;
  steps: 50;
  features: 1;
  windowsPerSec: number;
  ms: number;
  reps: number;
  maxRelDiff?: number;
  note?: string;
}

const REPS = 5;

async function timed(reps: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

function windowsOf(n: number): number[][][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: 50 }, (_, k) => [10 + 5 * Math.sin((2 * Math.PI * (i + k)) / 24) + 0.1 * Math.cos(i * k)]),
  );
}

async function exportRun(dir: string): Promise<{ onnxDir: string; tfjsDir: string }> {
  const svc = createService({ dbPath: join(dir, 'bench.db'), host: 'bench' });
  try {
    const ds = await ok(svc.call('datasets.import', { path: sineCsv(dir, 2000), name: 'bench' }));
    const spec = {
      target: 'value',
      window: { lookback: 50 },
      model: { cell: 'lstm', layers: [{ units: 64 }] },
      train: { epochs: 1, batchSize: 64, patience: 0, maxBatchesPerEpoch: 10 },
    };
    const run = await ok(svc.call('runs.create', { datasetId: ds.id, spec, name: 'onnx bench' }));
    await svc.waitForRun(run.id);
    const onnxDir = join(dir, 'onnx');
    const tfjsDir = join(dir, 'tfjs');
    await ok(svc.call('runs.export', { id: run.id, outDir: onnxDir, format: 'onnx' }));
    await ok(svc.call('runs.export', { id: run.id, outDir: tfjsDir }));
    return { onnxDir, tfjsDir };
  } finally {
    await svc.close();
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  const n = opts.args.includes('--quick') ? 1000 : 10_000;
  const reps = opts.args.includes('--quick') ? 2 : REPS;
  const t = tempDir('rnnwb-bench-onnx-');
  const rows: Row[] = [];
  const base = {
    suite: 'onnx' as const,
    cell: 'lstm' as const,
    units: 64 as const,
    windows: n,
    steps: 50 as const,
    features: 1 as const,
    reps,
  };
  const push = (r: Omit<Row, keyof typeof base | 'windowsPerSec'> & { windows?: number }) => {
    const windows = r.windows ?? n;
    rows.push({ ...base, ...r, windows, ms: Math.round(r.ms), windowsPerSec: Math.round((windows / r.ms) * 1000) });
    console.log(
      opts.json
        ? JSON.stringify(rows.at(-1))
        : `${r.impl} ${r.backend}: ${windows} windows in ${Math.round(r.ms)} ms${r.note ? ` (${r.note})` : ''}`,
    );
  };
  try {
    const { onnxDir, tfjsDir } = await exportRun(t.dir);
    const windows = windowsOf(n);
    let onnxOut: number[][] = [];
    // runOnnxExport creates a session per call, as a one-shot script would; a kept session is measured too.
    push({
      impl: `onnxruntime-node ${ort.env.versions.common}`,
      backend: 'cpu',
      ms: await timed(reps, async () => (onnxOut = await runOnnxExport(onnxDir, windows))),
      note: 'session created per call (runOnnxExport)',
    });
    for (const threads of [0, 1]) {
      const session = await ort.InferenceSession.create(
        join(onnxDir, 'model.onnx'),
        threads ? { intraOpNumThreads: threads } : {},
      );
      const x = new ort.Tensor('float32', Float32Array.from(windows.flat(2)), [n, 50, 1]);
      push({
        impl: `onnxruntime-node ${ort.env.versions.common}`,
        backend: 'cpu',
        ms: await timed(reps, () => session.run({ window: x })),
        note: `kept session, ${threads ? '1 thread' : 'default threads'}, tensor prebuilt`,
      });
      await session.release();
    }
    // TF.js' pure-JS cpu backend is ~100× slower: it gets a tenth of the windows and one repetition.
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      await tf.ready();
      const e = await loadExport(tfjsDir);
      const part = backend === 'cpu' ? windows.slice(0, Math.ceil(n / 10)) : windows;
      let out: number[][] = [];
      const ms = await timed(backend === 'cpu' ? 1 : reps, async () => (out = predictRaw(e, part)));
      const maxRelDiff = Math.max(...out.map((o, i) => Math.abs(o[0]! - onnxOut[i]![0]!) / Math.abs(o[0]!)));
      push({
        impl: `tf.layers ${tf.version_layers} (export reload)`,
        backend,
        ms,
        maxRelDiff,
        windows: part.length,
        ...(backend === 'cpu' ? { reps: 1 } : {}),
      });
      e.model.dispose();
    }
  } finally {
    t.cleanup();
  }
  if (!opts.json)
    console.table(
      rows.map(({ impl, backend, windows, ms, windowsPerSec, maxRelDiff, note }) => ({
        impl,
        backend,
        windows,
        ms,
        windowsPerSec,
        maxRelDiff,
        note,
      })),
    );
}
