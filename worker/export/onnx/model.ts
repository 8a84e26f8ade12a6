// Builds the ONNX model of a trained run from its tf.layers model (exports always rebuild one with
// tf.layers, so fused and WebGPU runs give the same layers and weights) and its preprocessing.
// Graph: raw window → preprocessing steps → time-major → recurrent layers → dense head → output
// (softmax for classify) → output steps. Dropout is the identity at inference and is left out.
import type * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../train/trainer.js';
import { Graph } from './graph.js';
import { stepsFor, type StepContext } from './preprocess.js';
import { DATA_TYPE, type ModelObject, type ValueInfoObject } from './proto.js';
import { addRecurrent, type RecurrentLayer, type RnnOp } from './recurrent.js';
import { addShrink } from './shrink.js';
import { ownWeight } from '../member.js';

/** ONNX opset of the default domain: 17 has every operator used here with its current semantics. */
export const OPSET = 17;
/** IR version 8 goes with opset 17 and loads in every ONNX Runtime since 1.13. */
export const IR_VERSION = 8;
export const INPUT = 'window';

const RNN_OPS: Record<string, RnnOp> = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' };
const DENSE_ACTIVATION: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  softmax: 'Softmax',
};

interface LayerConfig {
  units: number;
  activation: string;
  recurrentActivation?: string;
  returnSequences?: boolean;
  mergeMode?: string;
}

function floatsOf(t: tf.Tensor): Float32Array {
  return Float32Array.from(t.dataSync());
}

/** A TF.js recurrent layer (or Bidirectional wrapper) as the description recurrent.ts converts. */
function recurrentOf(layer: tf.layers.Layer, inputSize: number): RecurrentLayer {
  const bi = layer.getClassName() === 'Bidirectional';
  const cfg = layer.getConfig() as unknown as LayerConfig & { layer?: { className: string; config: LayerConfig } };
  if (bi && cfg.mergeMode !== 'concat')
    throw new Error(`bidirectional merge mode ${cfg.mergeMode} is not exported (only concat is built)`);
  const className = bi ? cfg.layer!.className : layer.getClassName();
  const inner = bi ? cfg.layer!.config : cfg;
  const w = layer.getWeights();
  const per = w.length / (bi ? 2 : 1);
  if (per !== 3) throw new Error(`${layer.name}: expected kernel, recurrent kernel and bias, found ${per} weights`);
  const directions = Array.from({ length: bi ? 2 : 1 }, (_, d) => ({
    kernel: floatsOf(w[d * 3]!),
    recurrentKernel: floatsOf(w[d * 3 + 1]!),
    bias: floatsOf(w[d * 3 + 2]!),
  }));
  return {
    op: RNN_OPS[className]!,
    units: inner.units,
    inputSize,
    activation: inner.activation,
    recurrentActivation: inner.recurrentActivation ?? null,
    returnSequences: bi ? (layer.outputShape as number[]).length === 3 : inner.returnSequences === true,
    directions,
  };
}

/** MatMul + Add (+ activation) for a Dense layer reading [batch, inputs]. */
function addDense(g: Graph, x: string, layer: tf.layers.Layer): string {
  const [kernel, bias] = layer.getWeights();
  const [inputs, units] = kernel!.shape as [number, number];
  const cfg = layer.getConfig() as unknown as LayerConfig;
  const act = DENSE_ACTIVATION[cfg.activation];
  if (act === undefined) throw new Error(`${layer.name}: the ${cfg.activation} activation is not exported`);
  const mm = g.op(
    'MatMul',
    [x, g.floats(`${layer.name}_kernel`, [inputs, units], floatsOf(kernel!))],
    `${layer.name}_matmul`,
  );
  const y = g.op('Add', [mm, g.floats(`${layer.name}_bias`, [units], floatsOf(bias!))], `${layer.name}_linear`);
  if (!act) return y;
  return g.op(act, [y], `${layer.name}_${cfg.activation}`, act === 'Softmax' ? { axis: -1 } : {});
}

function valueInfo(name: string, dims: (number | string)[], doc: string): ValueInfoObject {
  return {
    name,
    docString: doc,
    type: {
      tensorType: {
        elemType: DATA_TYPE.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface OnnxMeta {
  /** metadata_props, e.g. run id, spec JSON, columns, version. */
  props: Record<string, string>;
  producerVersion: string;
}

/** One network with its preprocessing, from the raw input to its outputs in original units (or probabilities). */
function addNetwork(g: Graph, model: tf.LayersModel, prep: Preprocessing): string {
  const steps = stepsFor(prep);
  const ctx: StepContext = { prep, saved: {} };
  const modelInput = steps.input.reduce((v, step) => step(g, v, ctx), INPUT);
  let x = g.op('Transpose', [modelInput], 'time_major', { perm: [1, 0, 2] }); // [lookback, batch, features]
  let width = prep.features.length;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer' || kind === 'Dropout') continue;
    if (kind in RNN_OPS || kind === 'Bidirectional') {
      const r = recurrentOf(layer, width);
      x = addRecurrent(g, x, r, layer.name);
      width = r.units * r.directions.length;
    } else if (kind === 'Dense') {
      x = addDense(g, x, layer);
      width = (layer.outputShape as number[])[1]!;
    } else {
      throw new Error(`layer ${layer.name} (${kind}) has no ONNX export`);
    }
  }
  return steps.output.reduce((v, step) => step(g, v, ctx), addShrink(g, x, modelInput, prep));
}

/** A further network of an ensemble run (train/ensemble.ts) and the preprocessing it was trained with. */
export interface OnnxMember {
  model: tf.LayersModel;
  prep: Preprocessing;
  normalize: string;
  /** Its share of the forecast (the run's own network has 1 − the members' sum). */
  weight: number;
}

export function buildOnnxModel(
  model: tf.LayersModel,
  prep: Preprocessing,
  meta: OnnxMeta,
  members: OnnxMember[] = [],
): ModelObject {
  const g = new Graph();
  g.name(INPUT);
  const steps = stepsFor(prep);
  for (const m of members)
    if (stepsFor(m.prep).rows !== steps.rows)
      throw new Error(
        `ensemble member (${m.normalize}) reads ${stepsFor(m.prep).rows} rows, the run's network ${steps.rows}`,
      );
  const outputs = [addNetwork(g, model, prep), ...members.map((m) => addNetwork(g, m.model, m.prep))];
  // An ensemble's forecast: the weighted mean of its networks' forecasts in original units.
  const weights = [ownWeight(members), ...members.map((m) => m.weight)];
  const y =
    outputs.length > 1
      ? g.op(
          'Sum',
          outputs.map((o, k) => g.op('Mul', [o, g.floats(`ensemble_weight_${k}`, [1], [weights[k]!])], 'weighted')),
          'ensemble_mean',
        )
      : outputs[0]!;
  const described = members.length
    ? [
        `the weighted mean of ${outputs.length} networks (weights ${weights.map((v) => v.toFixed(3)).join(', ')}), each with its own preprocessing: global (below) and ${members.map((m) => m.normalize).join(', ')} (preprocessing.json: ensemble.members)`,
        ...steps.described,
      ]
    : steps.described;
  const outName = prep.task === 'classify' ? 'probabilities' : 'forecast';
  g.node('Identity', [y], [outName]);
  const outDoc =
    prep.task === 'classify'
      ? `class probabilities in the order ${JSON.stringify(prep.classes)}`
      : `forecasts in the targets' units, columns ${JSON.stringify(prep.outputs)}`;
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'rnn-workbench',
    producerVersion: meta.producerVersion,
    docString: described.join('\n'),
    graph: {
      name: 'rnn_workbench',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo(
          INPUT,
          ['batch', steps.rows, prep.features.length],
          `raw values, columns ${JSON.stringify(prep.features)}`,
        ),
      ],
      output: [valueInfo(outName, ['batch', prep.outputs.length], outDoc)],
    },
    metadataProps: Object.entries(meta.props).map(([key, value]) => ({ key, value })),
  };
}
