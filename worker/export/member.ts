// An ensemble run's further network as the exports write it (export.ts, onnx/).
import type * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../train/preprocessing.js';

export interface ExportMember {
  model: tf.LayersModel;
  prep: Preprocessing;
  normalize: string;
  /** The member's best epoch. */
  epoch: number;
  /** Its files in a TF.js export. */
  file: { model: string; weights: string };
}

/** The preprocessing.json block of an ensemble: how to combine, and each member's own preprocessing. */
export function ensembleBlock(members: ExportMember[], withFiles: boolean): Preprocessing['ensemble'] {
  if (!members.length) return undefined;
  return {
    combine: 'mean',
    members: members.map((m) => ({
      normalize: m.normalize,
      epoch: m.epoch,
      ...(withFiles ? { model: m.file.model } : {}),
      preprocessing: m.prep,
    })),
  };
}
