// An ensemble run's further network as the exports write it (export.ts, onnx/).
import type * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../train/preprocessing.js';

export interface ExportMember {
  model: tf.LayersModel;
  prep: Preprocessing;
  normalize: string;
  /** The member's best epoch. */
  epoch: number;
  /** Its share of the forecast. */
  weight: number;
  /** Its files in a TF.js export. */
  file: { model: string; weights: string };
}

/** The preprocessing.json block of an ensemble: how to combine, and each member's own preprocessing. */
export function ensembleBlock(members: ExportMember[], withFiles: boolean): Preprocessing['ensemble'] {
  if (!members.length) return undefined;
  return {
    combine: 'weighted-mean',
    weight: 1 - members.reduce((a, m) => a + m.weight, 0),
    members: members.map((m) => ({
      normalize: m.normalize,
      epoch: m.epoch,
      weight: m.weight,
      ...(withFiles ? { model: m.file.model } : {}),
      preprocessing: m.prep,
    })),
  };
}
