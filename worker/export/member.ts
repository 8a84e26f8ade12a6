// A run's stored networks rebuilt as tf.layers models (exports always rebuild with tf.layers, so
// fused and WebGPU runs give the same layers and weights): its checkpoint, and an ensemble run's
// further networks (train/ensemble.ts) as the exports (export.ts, onnx/) and predict write them.
import type * as tf from '@tensorflow/tfjs';
import type { RunSpec } from '../../core/contract.js';
import type { DB } from '../../db/open.js';
import { ensembleWeights, loadMembers } from '../../db/members.js';
import { buildModel, layersRnn, type RnnFactory } from '../model/build.js';
import { setModelWeights, type WeightSpec } from '../train/checkpoint.js';
import type { Preprocessing } from '../train/preprocessing.js';

/** A stored network (checkpoint or member: its preprocessing, weight specs and weights) as a tf.layers model. */
export function storedNetwork(
  spec: RunSpec,
  prep: Pick<Preprocessing, 'lookback' | 'features' | 'outputs'>,
  stored: { weight_specs: string; weights: Buffer },
  factory: RnnFactory = layersRnn,
): tf.LayersModel {
  const shape = { lookback: prep.lookback, features: prep.features.length, outputs: prep.outputs.length };
  const model = buildModel(spec, shape, factory);
  setModelWeights(model, JSON.parse(stored.weight_specs) as WeightSpec[], stored.weights);
  return model;
}

/** An ensemble run's further networks with their preprocessing and weights; in a TF.js export each is `member-N.json` + its weights. */
export function storedMembers(db: DB, runId: number, spec: RunSpec): ExportMember[] {
  const rows = loadMembers(db, runId);
  const weights = ensembleWeights(rows);
  return rows.map((m, i) => {
    const prep = JSON.parse(m.preprocessing) as Preprocessing;
    const stem = `member-${m.member}`;
    return {
      model: storedNetwork(spec, prep, m),
      prep,
      normalize: m.normalize,
      epoch: m.epoch,
      weight: weights[i + 1]!,
      file: { model: `${stem}.json`, weights: `${stem}.weights.bin` },
    };
  });
}

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

/** The run's own network's share of an ensemble's forecast: what its members leave. */
export function ownWeight(members: readonly { weight: number }[]): number {
  return 1 - members.reduce((a, m) => a + m.weight, 0);
}

/** The preprocessing.json block of an ensemble: how to combine, and each member's own preprocessing. */
export function ensembleBlock(members: ExportMember[], withFiles: boolean): Preprocessing['ensemble'] {
  if (!members.length) return undefined;
  return {
    combine: 'weighted-mean',
    weight: ownWeight(members),
    members: members.map((m) => ({
      normalize: m.normalize,
      epoch: m.epoch,
      weight: m.weight,
      ...(withFiles ? { model: m.file.model } : {}),
      preprocessing: m.prep,
    })),
  };
}
