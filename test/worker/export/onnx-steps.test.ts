// The preprocessing steps of the ONNX graph against a plain reference of the same arithmetic
// (the TF.js reload's, worker/export/load.ts): per-target transforms (log, diff, logdiff, Box-Cox),
// window and season normalisation and several targets with different preparations, around a tf.layers model
// with random weights, run by onnxruntime-node. The service test (onnx.test.ts) covers trained runs.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { buildModel } from '../../../worker/model/build.js';
import type { TargetPrepFields } from '../../../worker/export/onnx/preprocess.js';
import { stepsFor } from '../../../worker/export/onnx/preprocess.js';
import { onnxBytes } from '../../../worker/export/onnx/write.js';
import type { Preprocessing } from '../../../worker/train/trainer.js';
import { stepLevels } from '../../../worker/data/transforms.js';
import { noise } from '../../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const diffed = (p: TargetPrepFields) => p.transform.kind === 'diff' || p.transform.kind === 'logdiff';
function g(p: TargetPrepFields, v: number): number {
  const k = p.transform.kind;
  if (k === 'log' || k === 'logdiff' || (k === 'boxcox' && !p.transform.lambda)) return Math.log(v);
  if (k === 'boxcox') return (Math.pow(v, p.transform.lambda!) - 1) / p.transform.lambda!;
  return v;
}
function gInv(p: TargetPrepFields, z: number): number {
  const k = p.transform.kind;
  if (k === 'log' || k === 'logdiff' || (k === 'boxcox' && !p.transform.lambda)) return Math.exp(z);
  if (k === 'boxcox') return Math.pow(p.transform.lambda! * z + 1, 1 / p.transform.lambda!);
  return z;
}

/** The reference: transform, difference, scale, normalise; model; and back, in float64. */
function reference(
  model: tf.LayersModel,
  prep: Preprocessing,
  tp: TargetPrepFields[],
  windows: number[][][],
): number[][] {
  const L = prep.lookback;
  const undo: { levels: Float64Array; last: number }[][] = [];
  const x = windows.map((w) => {
    const levels: { levels: Float64Array; last: number }[] = [];
    const cols = prep.features.map((f, j) => {
      const s = prep.scalers[f]!;
      const col = w.map((r) => r[j]!);
      const k = prep.targets.indexOf(f);
      const p = tp[k];
      if (!p) return col.slice(col.length - L).map((v) => (v - s.offset) / s.scale);
      const gs = col.map((v) => g(p, v));
      const z = (diffed(p) ? gs.map((v, i) => v - gs[i - 1]!) : gs).slice(col.length - L);
      const scaled = z.map((v) => (v - s.offset) / s.scale);
      const level = p.normalize === 'global' ? 0 : scaled[L - 1]!;
      levels[k] = { levels: stepLevels(p, scaled, 1, 0, L, prep.horizon, level), last: col[col.length - 1]! };
      return scaled.map((v) => (v - level) / p.windowScale);
    });
    undo.push(levels);
    return Array.from({ length: L }, (_, t) => cols.map((c) => c[t]!));
  });
  const y = (model.predict(tf.tensor3d(x)) as tf.Tensor).arraySync() as number[][];
  const H = prep.horizon;
  return y.map((row, i) =>
    prep.targets.flatMap((t, k) => {
      const p = tp[k]!;
      const s = prep.scalers[t]!;
      const u = undo[i]![k]!;
      let acc = g(p, u.last);
      return row.slice(k * H, (k + 1) * H).map((v, h) => {
        const z = (v * p.windowScale + u.levels[h]!) * s.scale + s.offset;
        if (!diffed(p)) return gInv(p, z);
        acc += z;
        return gInv(p, acc);
      });
    }),
  );
}

async function check(tp: TargetPrepFields[], targets: string[], horizon: number, lookback = 9): Promise<number> {
  const features = ['y', 'x', 'z'];
  const spec = parseSpec({
    target: targets[0],
    model: { cell: 'gru', layers: [{ units: 6 }], head: { layers: [5], activation: 'tanh' } },
  });
  const outputs = targets.flatMap((t) => Array.from({ length: horizon }, (_, h) => `${t}@${h + 1}`));
  const model = buildModel(spec, { lookback, features: features.length, outputs: outputs.length });
  const scalers = {
    y: { kind: 'standard', offset: 0.3, scale: 0.2 },
    x: { kind: 'standard', offset: 10, scale: 3 },
    z: { kind: 'minmax', offset: -0.1, scale: 0.5 },
  };
  const prep = {
    version: 1,
    task: 'forecast',
    features,
    targets,
    outputs,
    classes: null,
    lookback,
    horizon,
    scalers,
    seasonLength: 1,
    timeColumn: null,
    seriesColumn: null,
    targetPrep: tp,
  } as unknown as Preprocessing;
  const rows = stepsFor(prep).rows;
  expect(rows).toBe(lookback + (tp.some(diffed) ? 1 : 0));
  const rnd = noise(3);
  const windows = Array.from({ length: 16 }, (_, i) =>
    Array.from({ length: rows }, (_, t) => [
      8 + Math.sin(i + t) + 0.3 * rnd(),
      10 + 2 * rnd(),
      1.5 + 0.5 * Math.cos(i * t) + 0.1 * rnd(),
    ]),
  );
  const session = await ort.InferenceSession.create(
    onnxBytes(model, prep, { id: 1, name: 't', checkpoint: 'best', epoch: 1, spec }),
  );
  const r = await session.run({
    window: new ort.Tensor('float32', Float32Array.from(windows.flat(2)), [windows.length, rows, features.length]),
  });
  const got = r.forecast!.data as Float32Array;
  const want = reference(model, prep, tp, windows).flat();
  expect(got.length).toBe(want.length);
  return Math.max(...want.map((v, i) => Math.abs(got[i]! - v) / Math.abs(v)));
}

const prep = (
  kind: TargetPrepFields['transform']['kind'],
  normalize: 'global' | 'window',
  windowScale = 1,
  lambda?: number,
): TargetPrepFields => ({ transform: { kind, ...(lambda !== undefined ? { lambda } : {}) }, normalize, windowScale });
const seasonal = (
  kind: TargetPrepFields['transform']['kind'],
  season: number,
  windowScale = 1,
  seasons?: number,
  reference?: 'profile',
): TargetPrepFields => ({
  transform: { kind },
  normalize: 'season',
  windowScale,
  season,
  ...(seasons !== undefined ? { seasons } : {}),
  ...(reference ? { reference } : {}),
});

describe('ONNX preprocessing steps', () => {
  it('log target, window-normalised, horizon 3', async () => {
    expect(await check([prep('log', 'window', 0.7)], ['y'], 3)).toBeLessThan(1e-5);
  });
  it('differenced target (lookback + 1 rows), global, horizon 4', async () => {
    expect(await check([prep('diff', 'global')], ['y'], 4)).toBeLessThan(1e-5);
  });
  it('logdiff target, window-normalised', async () => {
    expect(await check([prep('logdiff', 'window', 0.05)], ['y'], 2)).toBeLessThan(1e-5);
  });
  it('Box-Cox target', async () => {
    expect(await check([prep('boxcox', 'global', 1, 0.5)], ['y'], 2)).toBeLessThan(1e-5);
  });
  it('two targets with different preparations beside a plain feature', async () => {
    expect(await check([prep('diff', 'window', 0.4), prep('log', 'global')], ['y', 'z'], 2)).toBeLessThan(1e-5);
  });
  it('no target preparation: scaling only (version-1 manifests)', async () => {
    expect(await check([prep('none', 'global')], ['y'], 1)).toBeLessThan(1e-5);
  });
});

describe('ONNX steps: season normalisation (last value plus the change over the season before each step)', () => {
  it('season 4, horizon 6 (steps past one season reach back the same rows)', async () => {
    expect(await check([seasonal('none', 4, 0.8)], ['y'], 6)).toBeLessThan(1e-5);
  });
  it('log target, season 3, horizon 3, lookback 12', async () => {
    expect(await check([seasonal('log', 3, 0.3)], ['y'], 3, 12)).toBeLessThan(1e-5);
  });
  it('differenced target, season 5 (lookback + 1 rows)', async () => {
    expect(await check([seasonal('diff', 5, 0.5)], ['y'], 2)).toBeLessThan(1e-5);
  });
  it('a season-normalised and a window-normalised target side by side', async () => {
    expect(await check([seasonal('none', 2, 0.6), prep('none', 'window', 0.9)], ['y', 'z'], 3)).toBeLessThan(1e-5);
  });
  it('the change averaged over 3 seasons (season 4, lookback 13, horizon 5)', async () => {
    expect(await check([seasonal('log', 4, 0.4, 3)], ['y'], 5, 13)).toBeLessThan(1e-5);
  });
  it('a profile reference over 2 seasons (season 4, lookback 13, horizon 5)', async () => {
    expect(await check([seasonal('log', 4, 0.4, 2, 'profile')], ['y'], 5, 13)).toBeLessThan(1e-5);
  });
  it('a trend reference over 2 seasons (season 4, lookback 13, horizon 5)', async () => {
    expect(await check([{ ...seasonal('none', 4, 0.4, 2), reference: 'trend' }], ['y'], 5, 13)).toBeLessThan(1e-5);
  });
  it('a profile of one season beside a change over 2 seasons', async () => {
    expect(
      await check([seasonal('none', 3, 0.5, 1, 'profile'), seasonal('diff', 2, 0.7, 2)], ['y', 'z'], 2, 9),
    ).toBeLessThan(1e-5);
  });
  it('two season targets averaging 2 and 1 seasons side by side', async () => {
    expect(await check([seasonal('none', 3, 0.5, 2), seasonal('diff', 4, 0.7)], ['y', 'z'], 2, 9)).toBeLessThan(1e-5);
  });
});

describe("ONNX steps: the reference's linear correction (linear-reference.ts)", () => {
  const beta = (L: number, H: number, seed: number) =>
    Array.from({ length: H }, (_, h) => Array.from({ length: L }, (_, r) => 0.05 * Math.sin(seed + 3 * h + r)));
  it('a window target with a linear correction, horizon 3', async () => {
    expect(await check([{ ...prep('log', 'window', 0.6), linear: beta(9, 3, 1) }], ['y'], 3)).toBeLessThan(1e-5);
  });
  it('a season target with a linear correction beside a plain window target', async () => {
    const s = { ...seasonal('none', 4, 0.5, 2, 'profile'), linear: beta(13, 2, 2) };
    expect(await check([s, prep('none', 'window', 0.8)], ['y', 'z'], 2, 13)).toBeLessThan(1e-5);
  });
  it('a differenced target with a linear correction (lookback + 1 rows)', async () => {
    expect(await check([{ ...prep('diff', 'window', 0.7), linear: beta(9, 2, 3) }], ['y'], 2)).toBeLessThan(1e-5);
  });
});

describe('ONNX steps: what the graph cannot express', () => {
  it('refuses season normalisation without a season inside the lookback, instead of exporting wrong numbers', () => {
    const prep = {
      version: 1,
      task: 'forecast',
      features: ['y'],
      targets: ['y'],
      outputs: ['y@1'],
      classes: null,
      lookback: 12,
      horizon: 1,
      scalers: { y: { kind: 'standard', offset: 0, scale: 1 } },
      seasonLength: 12,
      timeColumn: null,
      seriesColumn: null,
      targetPrep: [{ transform: { kind: 'none' }, normalize: 'season', windowScale: 1, season: 12 }],
    } as unknown as Preprocessing;
    expect(() => stepsFor(prep)).toThrow(/season shorter than the lookback 12.*--format tfjs/);
  });
});
