// The shrinkage of preprocessing.json (`shrink.alpha`) in the ONNX graph against the TF.js reload's
// predictRaw (worker/export/load.ts): a global target (base: its last scaled input), a
// window-normalised one (base 0) and a differenced one (base 0) beside a plain feature, around a
// tf.layers model with random weights, run by onnxruntime-node.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../../core/contract.js';
import { predictRaw } from '../../../worker/export/load.js';
import { onnxBytes } from '../../../worker/export/onnx/write.js';
import { buildModel } from '../../../worker/model/build.js';
import type { Preprocessing } from '../../../worker/train/trainer.js';
import { noise } from '../../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const targetPrep = (kind: 'none' | 'diff', normalize: 'global' | 'window', windowScale = 1) => ({
  transform: { kind },
  normalize,
  windowScale,
  reason: '',
});

async function compare(targets: string[], tp: ReturnType<typeof targetPrep>[], alpha: number[]) {
  const features = ['y', 'x', 'z'];
  const lookback = 7;
  const horizon = 2;
  const spec = parseSpec({ target: targets[0], model: { cell: 'gru', layers: [{ units: 5 }] } });
  const outputs = targets.flatMap((t) => [`${t}@1`, `${t}@2`]);
  const model = buildModel(spec, { lookback, features: 3, outputs: outputs.length });
  const prep = {
    version: 1,
    task: 'forecast',
    features,
    targets,
    outputs,
    classes: null,
    lookback,
    horizon,
    scalers: {
      y: { kind: 'standard', offset: 8, scale: 0.7 },
      x: { kind: 'standard', offset: 10, scale: 3 },
      z: { kind: 'standard', offset: 0.1, scale: 0.5 },
    },
    seasonLength: 1,
    timeColumn: null,
    seriesColumn: null,
    targetPrep: tp,
    shrink: { alpha, reason: 'test' },
  } as unknown as Preprocessing;
  const rows = lookback + (tp.some((p) => p.transform.kind === 'diff') ? 1 : 0);
  const rnd = noise(5);
  const windows = Array.from({ length: 12 }, (_, i) =>
    Array.from({ length: rows }, (_, t) => [8 + Math.sin(i + t) + 0.3 * rnd(), 10 + 2 * rnd(), 1.5 + 0.2 * t + rnd()]),
  );
  const session = await ort.InferenceSession.create(
    onnxBytes(model, prep, { id: 1, name: 't', checkpoint: 'best', epoch: 1, spec }),
  );
  const r = await session.run({
    window: new ort.Tensor('float32', Float32Array.from(windows.flat(2)), [windows.length, rows, 3]),
  });
  const got = Array.from(r.forecast!.data as Float32Array);
  const want = predictRaw({ model, preprocessing: prep }, windows).flat();
  const unshrunk = predictRaw(
    { model, preprocessing: { ...prep, shrink: undefined } as Preprocessing },
    windows,
  ).flat();
  return {
    err: Math.max(...want.map((v, i) => Math.abs(got[i]! - v) / Math.max(Math.abs(v), 1e-3))),
    moved: Math.max(...want.map((v, i) => Math.abs(v - unshrunk[i]!))),
  };
}

describe('ONNX shrinkage', () => {
  it('matches predictRaw for a global target (toward its last value) and a window one', async () => {
    const r = await compare(
      ['y', 'z'],
      [targetPrep('none', 'global'), targetPrep('none', 'window', 0.6)],
      [0.3, 0.8, 0, 1],
    );
    expect(r.err).toBeLessThan(1e-5);
    expect(r.moved).toBeGreaterThan(1e-3);
  });
  it('matches predictRaw for a differenced target (toward no change from the mean step)', async () => {
    const r = await compare(['z'], [targetPrep('diff', 'global')], [0.5, 0.25]);
    expect(r.err).toBeLessThan(1e-5);
    expect(r.moved).toBeGreaterThan(1e-3);
  });
});
