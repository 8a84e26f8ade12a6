// The data preparation inside the ONNX graph, as two step lists around the network: `input` steps
// turn the raw window [batch, lookback, features] into model inputs, `output` steps turn the
// network's outputs [batch, outputs] into forecasts in the target's units. Each step reads one
// value and returns the next; it also sees the raw input, so a step that needs the window's last
// observed value (window normalisation, undoing a differenced target) can Slice it from there.
// Adding a transform is adding a step here (e.g. Log on the target columns before scaling and Exp
// after unscaling); what a step list cannot express is listed in the sidecar (preprocessing.json).
import type { Preprocessing } from '../../train/trainer.js';
import type { Graph } from './graph.js';

export interface StepContext {
  /** The graph input: raw values, [batch, lookback, features]. */
  raw: string;
  prep: Preprocessing;
}

export type Step = (g: Graph, value: string, ctx: StepContext) => string;

export interface Steps {
  input: Step[];
  output: Step[];
  /** One line per step, for the sidecar and the model's doc string. */
  described: string[];
}

const isIdentity = (offsets: number[], scales: number[]) => offsets.every((o) => o === 0) && scales.every((s) => s === 1);

/** x' = (x - offset) / scale per feature column (broadcast over the last axis). */
const scaleInputs: Step = (g, x, { prep }) => {
  const offsets = prep.features.map((f) => prep.scalers[f]!.offset);
  const scales = prep.features.map((f) => prep.scalers[f]!.scale);
  if (isIdentity(offsets, scales)) return x;
  const centred = g.op('Sub', [x, g.floats('feature_offset', [offsets.length], offsets)], 'centred');
  return g.op('Div', [centred, g.floats('feature_scale', [scales.length], scales)], 'scaled');
};

/** Output o belongs to target floor(o / horizon): y = y' · scale + offset. */
function outputScalers(prep: Preprocessing): { offsets: number[]; scales: number[] } {
  const of = (o: number) => prep.scalers[prep.targets[Math.floor(o / prep.horizon)]!]!;
  return { offsets: prep.outputs.map((_, o) => of(o).offset), scales: prep.outputs.map((_, o) => of(o).scale) };
}

const unscaleOutputs: Step = (g, y, { prep }) => {
  const { offsets, scales } = outputScalers(prep);
  if (isIdentity(offsets, scales)) return y;
  const stretched = g.op('Mul', [y, g.floats('target_scale', [scales.length], scales)], 'stretched');
  return g.op('Add', [stretched, g.floats('target_offset', [offsets.length], offsets)], 'unscaled');
};

export function stepsFor(prep: Preprocessing): Steps {
  const described = [`input: per feature (${prep.features.join(', ')}): (x - offset) / scale`];
  if (prep.task === 'classify') return { input: [scaleInputs], output: [], described: [...described, 'output: class probabilities (softmax), in the order of `classes`'] };
  described.push(`output: per target and step (${prep.outputs.join(', ')}): y · scale + offset, in the target's units`);
  return { input: [scaleInputs], output: [unscaleOutputs], described };
}
