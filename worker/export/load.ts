// Loads an exported model directory and predicts from raw rows: the documented way to use an
// export (docs/export.md). Only @tensorflow/tfjs is needed.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Preprocessing } from '../train/trainer.js';

export interface LoadedExport {
  model: tf.LayersModel;
  preprocessing: Preprocessing;
}

export async function loadExport(dir: string): Promise<LoadedExport> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightData = readFileSync(join(dir, json.weightsManifest[0]!.paths[0]!));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
  const preprocessing = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as Preprocessing;
  return { model, preprocessing };
}

/**
 * Predicts from windows of raw feature rows: `windows[i]` is `lookback` rows, each with the
 * feature columns in `preprocessing.features` order, in original units. Returns, per window, the
 * outputs in original units (forecast: target × horizon step) or class probabilities (classify).
 */
export function predictRaw(e: LoadedExport, windows: number[][][]): number[][] {
  const p = e.preprocessing;
  const F = p.features.length;
  const x = new Float32Array(windows.length * p.lookback * F);
  windows.forEach((w, i) => {
    if (w.length !== p.lookback) throw new Error(`window ${i} has ${w.length} rows; the model needs ${p.lookback}`);
    w.forEach((row, t) =>
      p.features.forEach((f, j) => {
        const s = p.scalers[f]!;
        x[(i * p.lookback + t) * F + j] = (row[j]! - s.offset) / s.scale;
      }),
    );
  });
  const out = tf.tidy(() => e.model.predict(tf.tensor3d(x, [windows.length, p.lookback, F])) as tf.Tensor);
  const data = out.dataSync();
  out.dispose();
  const O = p.outputs.length;
  return windows.map((_, i) =>
    Array.from({ length: O }, (_, o) => {
      const v = data[i * O + o]!;
      if (p.task === 'classify') return v;
      const s = p.scalers[p.targets[Math.floor(o / p.horizon)]!]!;
      return v * s.scale + s.offset;
    }),
  );
}
