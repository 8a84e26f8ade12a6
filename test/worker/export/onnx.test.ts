// ONNX export verified by ONNX Runtime: tiny real runs trained through the service, exported with
// format onnx, loaded with onnxruntime-node, fed raw windows read from the dataset, and compared
// with the test predictions the run stored (1e-5 relative), for every cell, stacked,
// bidirectional, classify, multi-series, horizon > 1, the target transforms (default `auto`) and
// window and season normalisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec, type RunRow } from '../../../core/contract.js';
import { columnLoader, datasetInfo, readSeries } from '../../../core/datasets.js';
import { createService, type Service } from '../../../core/service.js';
import { f64, loadPredictions } from '../../../db/checkpoints.js';
import { openDb } from '../../../db/open.js';
import { prepare } from '../../../worker/data/prepare.js';
import { loadExport, predictRaw } from '../../../worker/export/load.js';
import { decodeModel } from '../../../worker/export/onnx/proto.js';
import type { Preprocessing } from '../../../worker/train/trainer.js';
import { noise, ok, sineCsv, tempDir, writeFile } from '../../helpers.js';
import { runOnnxExport } from './onnx-runtime.js';

const t = tempDir();
const dbPath = join(t.dir, 'workbench.db');
let svc: Service;
const ds: Record<'sine' | 'stores' | 'regimes', number> = { sine: 0, stores: 0, regimes: 0 };
/** The implementations that trained the runs: exports rebuild tf.layers models from either. */
const impls = new Set<string>();

function storesCsv(): string {
  const rnd = noise(11);
  const lines = ['store,date,sales,temp'];
  ['north', 'south', 'east'].forEach((s, k) => {
    for (let i = 0; i < 300; i++) {
      const date = new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const sales = 100 * (k + 1) + 20 * Math.sin((2 * Math.PI * i) / 7) + 5 * rnd();
      lines.push(`${s},${date},${sales.toFixed(3)},${(15 + 10 * Math.sin(i / 50) + rnd()).toFixed(2)}`);
    }
  });
  return writeFile(t.dir, 'stores.csv', lines.join('\n'));
}

function regimesCsv(): string {
  const lines = ['time,x,regime'];
  for (let i = 0; i < 800; i++) {
    const x = Math.sin((2 * Math.PI * i) / 40);
    lines.push(
      `${new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${x.toFixed(4)},${Math.cos((2 * Math.PI * i) / 40) > 0 ? 'rising' : 'falling'}`,
    );
  }
  return writeFile(t.dir, 'regimes.csv', lines.join('\n'));
}

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 5 });
  ds.sine = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' }))).id;
  ds.stores = (await ok(svc.call('datasets.import', { path: storesCsv(), name: 'stores' }))).id;
  ds.regimes = (await ok(svc.call('datasets.import', { path: regimesCsv(), name: 'regimes' }))).id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

async function train(datasetId: number, spec: Record<string, unknown>): Promise<RunRow> {
  const run = await ok(
    svc.call('runs.create', {
      datasetId,
      spec: { train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 }, ...spec },
    }),
  );
  await svc.waitForRun(run.id);
  const done = await ok(svc.call('runs.get', { id: run.id }));
  expect(done.status).toBe('completed');
  impls.add(done.impl ?? '');
  return done;
}

/**
 * The run's test windows as raw rows read from the dataset, in the order of the stored predictions:
 * `rows` per window (the sidecar's: lookback, or lookback + 1 for a differenced target).
 */
function testWindows(
  run: RunRow,
  datasetId: number,
  rows: number,
): { windows: number[][][]; stored: Float64Array; prep: Preprocessing } {
  const db = openDb(dbPath, { readonly: true });
  try {
    const spec = parseSpec(JSON.parse(JSON.stringify(run.spec)));
    const p = prepare(spec, datasetInfo(db, datasetId)!, columnLoader(db, datasetId));
    const raw = new Map(
      p.groups.map((g) => [
        g.key,
        readSeries(db, datasetId, p.features, g.key || undefined).series.map((s) => s.values as number[]),
      ]),
    );
    const w = p.windows.test;
    const windows: number[][][] = [];
    for (let i = 0; i < w.length; i += 2) {
      const cols = raw.get(p.groups[w[i]!]!.key)!;
      const end = w[i + 1]!;
      windows.push(Array.from({ length: rows }, (_, k) => cols.map((c) => c[end - rows + 1 + k]!)));
    }
    const pred = loadPredictions(db, run.id, 'test')!;
    return { windows, stored: Float64Array.from(f64(pred.predicted)), prep: p as unknown as Preprocessing };
  } finally {
    db.close();
  }
}

async function exportOnnx(run: RunRow, name: string): Promise<{ dir: string; rows: number }> {
  const out = join(t.dir, name);
  const r = await ok(svc.call('runs.export', { id: run.id, outDir: out, checkpoint: 'best', format: 'onnx' }));
  expect(r.files).toEqual(['model.onnx', 'preprocessing.json']);
  return { dir: out, rows: JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')).onnx.input.shape[1] };
}

/** max |a - b| / |b| over every output cell. */
function maxRelErr(got: number[][], want: ArrayLike<number>): number {
  let e = 0;
  got.flat().forEach((v, i) => (e = Math.max(e, Math.abs(v - want[i]!) / Math.max(Math.abs(want[i]!), 1e-3))));
  return e;
}

describe('ONNX export, run by ONNX Runtime, reproduces the stored test predictions', () => {
  const cases: [string, 'sine' | 'stores', Record<string, unknown>, Record<string, unknown>?][] = [
    [
      'simpleRNN',
      'sine',
      { target: 'value', window: { lookback: 12, horizon: 1 }, model: { cell: 'simpleRNN', layers: [{ units: 8 }] } },
    ],
    [
      'lstm, stacked, dense head, two features, minmax, horizon 3',
      'sine',
      {
        target: 'value',
        features: ['value', 'temp'],
        scaling: 'minmax',
        window: { lookback: 12, horizon: 3 },
        model: { cell: 'lstm', layers: [{ units: 8 }, { units: 6 }], head: { layers: [8], activation: 'tanh' } },
      },
    ],
    [
      'gru, bidirectional',
      'sine',
      {
        target: 'value',
        window: { lookback: 12, horizon: 1 },
        model: { cell: 'gru', bidirectional: true, layers: [{ units: 8 }] },
      },
    ],
    [
      'lstm, stacked bidirectional, relu head, horizon 2',
      'sine',
      {
        target: 'value',
        window: { lookback: 10, horizon: 2 },
        model: {
          cell: 'lstm',
          bidirectional: true,
          layers: [{ units: 6 }, { units: 4 }],
          head: { layers: [5], activation: 'relu' },
        },
      },
    ],
    [
      'gru, multi-series, horizon 2',
      'stores',
      {
        target: 'sales',
        features: ['sales', 'temp'],
        window: { lookback: 14, horizon: 2 },
        model: { cell: 'gru', layers: [{ units: 8 }] },
      },
    ],
    [
      'lstm, log target, window normalisation, horizon 3',
      'sine',
      {
        target: 'value',
        transform: 'log',
        normalize: 'window',
        window: { lookback: 12, horizon: 3 },
        model: { cell: 'lstm', layers: [{ units: 8 }] },
      },
    ],
    [
      'gru, differenced target (lookback + 1 rows), multi-series, horizon 2',
      'stores',
      {
        target: 'sales',
        features: ['sales', 'temp'],
        transform: 'diff',
        normalize: 'global',
        window: { lookback: 14, horizon: 2 },
        model: { cell: 'gru', layers: [{ units: 8 }] },
      },
    ],
    [
      'simpleRNN, logdiff target, window normalisation',
      'sine',
      {
        target: 'value',
        transform: 'logdiff',
        normalize: 'window',
        window: { lookback: 12, horizon: 2 },
        model: { cell: 'simpleRNN', layers: [{ units: 8 }] },
      },
    ],
    [
      'gru, season normalisation (season 7), multi-series, two features, horizon 9 (steps past one season)',
      'stores',
      {
        target: 'sales',
        features: ['sales', 'temp'],
        normalize: 'season',
        seasonLength: 7,
        window: { lookback: 14, horizon: 9 },
        model: { cell: 'gru', layers: [{ units: 8 }] },
      },
    ],
    [
      'gru, season normalisation with the seasonal profile over 3 seasons chosen on the train split (season 7, lookback 28), multi-series, horizon 3',
      'stores',
      {
        target: 'sales',
        normalize: 'season',
        seasonLength: 7,
        window: { lookback: 28, horizon: 3 },
        model: { cell: 'gru', layers: [{ units: 8 }] },
      },
      { reference: 'profile', seasons: 3 },
    ],
    [
      'lstm, log target, season normalisation (season 24), horizon 3',
      'sine',
      {
        target: 'value',
        transform: 'log',
        normalize: 'season',
        seasonLength: 24,
        window: { lookback: 30, horizon: 3 },
        model: { cell: 'lstm', layers: [{ units: 8 }] },
      },
    ],
  ];
  /** The cases whose run fitted a linear correction of the reference (linear-reference.ts). */
  const linear: string[] = [];
  for (const [name, data, spec, chosen] of cases) {
    it(name, async () => {
      const run = await train(ds[data], spec);
      const { dir, rows } = await exportOnnx(run, `onnx-${run.id}`);
      const { windows, stored, prep } = testWindows(run, ds[data], rows);
      expect(windows.length * prep.outputs.length).toBe(stored.length);
      if (spec.normalize) {
        const side = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as Preprocessing;
        expect(side.targetPrep![0]!.normalize).toBe(spec.normalize);
        if (chosen) expect(side.targetPrep![0]).toMatchObject(chosen);
        if (side.targetPrep![0]!.linear) linear.push(name);
      }
      const got = await runOnnxExport(dir, windows);
      if (process.env.ONNX_ERR) console.log(`max rel error ${name}: ${maxRelErr(got, stored).toExponential(2)}`);
      expect(maxRelErr(got, stored)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('the cases above include runs whose reference carries a linear correction, reproduced like the rest', () => {
    expect(linear.length).toBeGreaterThan(0);
  });

  it('classify: the argmax is the stored class and the probabilities are the TF.js reload', async () => {
    const run = await train(ds.regimes, {
      task: 'classify',
      target: 'regime',
      features: ['x'],
      window: { lookback: 10 },
      model: { cell: 'gru', layers: [{ units: 8 }] },
    });
    const { dir, rows } = await exportOnnx(run, `onnx-${run.id}`);
    const { windows, stored } = testWindows(run, ds.regimes, rows);
    const got = await runOnnxExport(dir, windows);
    expect(got.map((p) => p.indexOf(Math.max(...p)))).toEqual(Array.from(stored));
    for (const p of got) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const tfjsDir = join(t.dir, `tfjs-${run.id}`);
    await ok(svc.call('runs.export', { id: run.id, outDir: tfjsDir, checkpoint: 'best' }));
    const reload = predictRaw(await loadExport(tfjsDir), windows);
    expect(Math.max(...got.flat().map((v, i) => Math.abs(v - reload.flat()[i]!)))).toBeLessThanOrEqual(1e-5);
  });

  it('writes opset 17, metadata_props (run id, spec, columns, version) and the sidecar', async () => {
    const run = await train(ds.sine, {
      target: 'value',
      transform: 'none',
      normalize: 'global',
      window: { lookback: 8, horizon: 1 },
      model: { cell: 'lstm', layers: [{ units: 4 }] },
    });
    const { dir } = await exportOnnx(run, `meta-${run.id}`);
    const m = decodeModel(readFileSync(join(dir, 'model.onnx'))) as {
      opsetImport: { version: number }[];
      metadataProps: { key: string; value: string }[];
      graph: {
        node: { opType: string; attribute: { name: string; strings?: number[][] }[] }[];
        input: { name: string }[];
        output: { name: string }[];
      };
    };
    expect(m.opsetImport[0]!.version).toBe(17);
    const props = Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
    expect(props['run.id']).toBe(String(run.id));
    expect(JSON.parse(props['run.spec']!).model.cell).toBe('lstm');
    expect(JSON.parse(props.features!)).toEqual(['value']);
    expect(props['rnn_workbench.version']).toMatch(/^\d+\.\d+\.\d+/);
    const lstm = m.graph.node.find((n) => n.opType === 'LSTM')!;
    const acts = lstm.attribute.find((a) => a.name === 'activations')!.strings!.map((s) => Buffer.from(s).toString());
    expect(acts).toEqual(['HardSigmoid', 'Tanh', 'Tanh']);
    expect(m.graph.input.map((i) => i.name)).toEqual(['window']);
    expect(m.graph.output.map((o) => o.name)).toEqual(['forecast']);
    const side = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8'));
    expect(side.onnx).toMatchObject({
      file: 'model.onnx',
      opset: 17,
      input: { name: 'window', shape: ['batch', 8, 1] },
      output: { name: 'forecast', columns: ['value@1'] },
    });
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
  });

  it('covered runs trained by the fused kernels and by tf.layers (bidirectional)', () => {
    expect(impls.has('tf.layers')).toBe(true);
    expect([...impls].some((i) => i !== 'tf.layers' && i !== '')).toBe(true);
  });
});
