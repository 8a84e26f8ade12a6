// Writes an ONNX export: model.onnx (preprocessing in the graph, metadata_props) and the sidecar
// preprocessing.json, the same manifest as the TF.js export plus an `onnx` block naming the graph's
// input and output and listing what the graph already does (so a caller does not scale twice).
import type * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSpec } from '../../../core/contract.js';
import { APP_VERSION } from '../../../core/version.js';
import type { Preprocessing } from '../../train/trainer.js';
import { buildOnnxModel, INPUT, OPSET, type OnnxMember } from './model.js';
import { stepsFor } from './preprocess.js';
import { encodeModel } from './proto.js';
import { ensembleBlock, type ExportMember } from '../member.js';

/** In the order they move into place: model.onnx last. */
export const ONNX_FILES = ['preprocessing.json', 'model.onnx'] as const;

export interface RunInfo {
  id: number;
  name: string;
  checkpoint: 'best' | 'last';
  epoch: number;
  spec: RunSpec;
}

export function onnxBytes(
  model: tf.LayersModel,
  prep: Preprocessing,
  run: RunInfo,
  members: OnnxMember[] = [],
): Uint8Array {
  const props: Record<string, string> = {
    'rnn_workbench.version': APP_VERSION,
    'run.id': String(run.id),
    'run.name': run.name,
    'run.checkpoint': run.checkpoint,
    'run.epoch': String(run.epoch),
    'run.spec': JSON.stringify(run.spec),
    task: prep.task,
    features: JSON.stringify(prep.features),
    targets: JSON.stringify(prep.targets),
    outputs: JSON.stringify(prep.outputs),
    lookback: String(prep.lookback),
    horizon: String(prep.horizon),
    ...(prep.classes ? { classes: JSON.stringify(prep.classes) } : {}),
    preprocessing: JSON.stringify(prep),
  };
  return encodeModel(buildOnnxModel(model, prep, { props, producerVersion: APP_VERSION }, members));
}

export function writeOnnx(
  dir: string,
  model: tf.LayersModel,
  prep: Preprocessing,
  run: RunInfo,
  members: ExportMember[] = [],
): void {
  writeFileSync(join(dir, 'model.onnx'), onnxBytes(model, prep, run, members));
  const steps = stepsFor(prep);
  const onnx = {
    file: 'model.onnx',
    opset: OPSET,
    input: {
      name: INPUT,
      shape: ['batch', steps.rows, prep.features.length],
      columns: prep.features,
      units: 'raw values',
    },
    output:
      prep.task === 'classify'
        ? { name: 'probabilities', shape: ['batch', prep.outputs.length], columns: prep.classes }
        : {
            name: 'forecast',
            shape: ['batch', prep.outputs.length],
            columns: prep.outputs,
            units: "the targets' units",
          },
    inGraph: members.length
      ? [
          `the weighted mean of ${members.length + 1} networks (ensemble.weight, ensemble.members[].weight), each with its own preprocessing`,
          ...steps.described,
        ]
      : steps.described,
    outsideGraph: [
      `windows: ${steps.rows} consecutive rows of one series in time order${steps.rows > prep.lookback ? ' (lookback + 1: the first row is only differenced against)' : ''}, no missing values (fill gaps before calling)`,
    ],
  };
  const ensemble = ensembleBlock(members, false);
  writeFileSync(
    join(dir, 'preprocessing.json'),
    JSON.stringify({ ...prep, ...(ensemble ? { ensemble } : {}), run, onnx }, null, 2),
  );
}
