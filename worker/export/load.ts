// Loads an exported model directory and predicts from raw rows: the documented way to use an
// export (docs/export.md). Only @tensorflow/tfjs is needed.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Preprocessing } from '../train/trainer.js';
import { forwardSeries, inverseForecast, stepLevels, windowLevel } from '../data/transforms.js';
import { applyShrink, baseFeatures, shrinkBases } from '../data/shrink.js';

export interface LoadedExport {
  model: TF.LayersModel;
  preprocessing: Preprocessing;
  /** An ensemble's further networks (preprocessing.json `ensemble`): the forecast is the weighted mean of all. */
  members?: LoadedExport[];
  /** This network's share of an ensemble's forecast (absent: equal shares). */
  weight?: number;
}

async function loadLayers(dir: string, file: string): Promise<TF.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  };
  const weightData = readFileSync(join(dir, json.weightsManifest[0]!.paths[0]!));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
}

export async function loadExport(dir: string): Promise<LoadedExport> {
  const model = await loadLayers(dir, 'model.json');
  const preprocessing = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as Preprocessing;
  const members = await Promise.all(
    (preprocessing.ensemble?.members ?? []).map(async (m) => {
      if (!m.model)
        throw new Error(`${join(dir, 'preprocessing.json')}: ensemble member ${m.normalize} names no model file`);
      return { model: await loadLayers(dir, m.model), preprocessing: m.preprocessing, weight: m.weight };
    }),
  );
  const weight = preprocessing.ensemble?.weight;
  return { model, preprocessing, ...(members.length ? { members } : {}), ...(weight !== undefined ? { weight } : {}) };
}

type TargetPrep = NonNullable<Preprocessing['targetPrep']>[number];

/** A target's window of original values → model inputs; the per-step levels and the last original value undo the outputs. */
function targetInputs(
  prep: TargetPrep,
  s: { offset: number; scale: number },
  values: number[],
  lookback: number,
  horizon: number,
): { x: number[]; levels: Float64Array; last: number } {
  const z = Array.from(forwardSeries(prep.transform, values)).slice(values.length - lookback);
  const scaled = z.map((v) => (v - s.offset) / s.scale);
  const found = prep.normalize === 'window' || prep.normalize === 'season' ? windowLevel(scaled, 0, scaled.length) : 0;
  const level = Number.isNaN(found) ? 0 : found;
  const x = scaled.map((v) => (Number.isNaN(v) ? 0 : (v - level) / prep.windowScale));
  return { x, levels: stepLevels(prep, scaled, 1, 0, scaled.length, horizon, level), last: values[values.length - 1]! };
}

/**
 * Predicts from windows of raw feature rows: `windows[i]` is `lookback` rows (`lookback + 1` for a
 * differenced target: the first row is only differenced against), each with the feature columns in
 * `preprocessing.features` order, in original units. Returns, per window, the outputs in original
 * units (forecast: target × horizon step) or class probabilities (classify).
 */
export function predictRaw(e: LoadedExport, windows: number[][][]): number[][] {
  if (!e.members?.length) return predictOne(e, windows);
  // An ensemble: the weighted mean of every network's forecast in original units.
  const nets = [e, ...e.members];
  const all = nets.map((n) => predictOne(n, windows));
  const w = nets.map((n) => n.weight ?? 1 / nets.length);
  return all[0]!.map((row, i) => row.map((_, o) => all.reduce((s, a, k) => s + w[k]! * a[i]![o]!, 0)));
}

/** One network's outputs, its own preprocessing applied and undone. */
function predictOne(e: LoadedExport, windows: number[][][]): number[][] {
  const p = e.preprocessing;
  const F = p.features.length;
  const L = p.lookback;
  const preps = p.targetPrep ?? [];
  const x = new Float32Array(windows.length * L * F);
  const undo: { levels: ArrayLike<number>; last: number }[][] = [];
  windows.forEach((w, i) => {
    if (w.length !== L && w.length !== L + 1) throw new Error(`window ${i} has ${w.length} rows; the model needs ${L}`);
    const levels: { levels: ArrayLike<number>; last: number }[] = [];
    p.features.forEach((f, j) => {
      const s = p.scalers[f]!;
      const k = p.targets.indexOf(f);
      const col = w.map((row) => row[j]!);
      const xs =
        k >= 0 && preps[k]
          ? targetInputs(preps[k], s, col, L, p.horizon)
          : {
              x: col.slice(col.length - L).map((v) => (v - s.offset) / s.scale),
              levels: new Float64Array(p.horizon),
              last: col[col.length - 1]!,
            };
      if (k >= 0) levels[k] = xs;
      xs.x.forEach((v, t) => (x[(i * L + t) * F + j] = v));
    });
    undo.push(levels);
  });
  const out = tf.tidy(() => e.model.predict(tf.tensor3d(x, [windows.length, L, F])) as TF.Tensor);
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  // The shrinkage fitted on the validation split, in model units as in training (data/shrink.ts).
  if (p.task === 'forecast' && p.shrink)
    applyShrink(data, shrinkBases(x, windows.length, L, F, baseFeatures(p)), p.shrink.alpha);
  const O = p.outputs.length;
  const H = p.horizon;
  return windows.map((_, i) => {
    const row = Array.from(data.subarray(i * O, (i + 1) * O));
    if (p.task === 'classify') return row;
    return p.targets.flatMap((t, k) => {
      const s = p.scalers[t]!;
      const prep = preps[k] ?? {
        transform: { kind: 'none' as const },
        normalize: 'global' as const,
        windowScale: 1,
        reason: '',
      };
      const u = undo[i]![k] ?? { levels: new Float64Array(H), last: NaN };
      const z = row.slice(k * H, (k + 1) * H).map((v, h) => (v * prep.windowScale + u.levels[h]!) * s.scale + s.offset);
      return Array.from(inverseForecast(prep.transform, u.last, z));
    });
  });
}
