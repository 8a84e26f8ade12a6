// Builds the model a RunSpec describes: stacked RNN layers (SimpleRNN, LSTM or GRU; optionally
// bidirectional), dropout between them, an optional dense head, and an output layer (linear for
// forecasts, softmax for classes). Pure: the same spec and seed give the same initial weights, and
// the `layers` and `fused` implementations give the same weight names, shapes and order.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { orthogonal } from './orthogonal.js';
import type { RunSpec } from '../../core/contract.js';
import type { ModelShape } from '../../core/params.js';
export { countParams, type ModelShape } from '../../core/params.js';

export interface RnnLayerConfig {
  cell: RunSpec['model']['cell'];
  units: number;
  returnSequences: boolean;
  name: string;
  seed: number;
}

/** Makes one RNN layer; the fused kernels provide another factory with the same weights. */
export type RnnFactory = (cfg: RnnLayerConfig) => TF.layers.Layer;

export const layersRnn: RnnFactory = (cfg) => {
  const common = {
    units: cfg.units,
    returnSequences: cfg.returnSequences,
    name: cfg.name,
    kernelInitializer: tf.initializers.glorotUniform({ seed: cfg.seed }),
    recurrentInitializer: orthogonal({ seed: cfg.seed + 1 }), // tf's values, without tf.linalg.qr's seconds
  };
  if (cfg.cell === 'lstm') return tf.layers.lstm(common);
  if (cfg.cell === 'gru') return tf.layers.gru(common);
  return tf.layers.simpleRNN(common);
};

export function buildModel(spec: RunSpec, shape: ModelShape, rnn: RnnFactory = layersRnn): TF.LayersModel {
  const seed = spec.train.seed;
  const input = tf.input({ shape: [shape.lookback, shape.features], name: 'window' });
  let x: TF.SymbolicTensor = input;
  const layers = spec.model.layers;
  layers.forEach((l, i) => {
    const cfg: RnnLayerConfig = {
      cell: spec.model.cell,
      units: l.units,
      returnSequences: i < layers.length - 1,
      name: `rnn_${i}`,
      seed: seed + 100 * i,
    };
    if (spec.model.bidirectional) {
      // Bidirectional wraps a tf.layers RNN; the fused path is not offered for it (see fusedAllowed).
      const inner = layersRnn(cfg) as unknown as TF.RNN;
      x = tf.layers.bidirectional({ layer: inner, mergeMode: 'concat', name: `bi_${i}` }).apply(x) as TF.SymbolicTensor;
    } else {
      x = rnn(cfg).apply(x) as TF.SymbolicTensor;
    }
    if (l.dropout > 0)
      x = tf.layers
        .dropout({ rate: l.dropout, seed: seed + 100 * i + 7, name: `dropout_${i}` })
        .apply(x) as TF.SymbolicTensor;
  });
  spec.model.head.layers.forEach((units, i) => {
    x = tf.layers
      .dense({
        units,
        activation: spec.model.head.activation,
        name: `head_${i}`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 + i }),
      })
      .apply(x) as TF.SymbolicTensor;
  });
  const out = tf.layers
    .dense({
      units: shape.outputs,
      activation: spec.task === 'classify' ? 'softmax' : 'linear',
      name: 'output',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2000 }),
    })
    .apply(x) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'rnn_workbench' });
}

export function lossFor(spec: RunSpec): string | ((yTrue: TF.Tensor, yPred: TF.Tensor) => TF.Tensor) {
  if (spec.task === 'classify') return 'categoricalCrossentropy';
  if (spec.train.loss === 'mae') return 'meanAbsoluteError';
  // Named, so the fused train step (worker/kernels/step.ts) can tell which loss the model has.
  if (spec.train.loss === 'huber')
    return function huberDelta1(yTrue: TF.Tensor, yPred: TF.Tensor) {
      return tf.losses.huberLoss(yTrue, yPred, undefined, 1.0);
    };
  return 'meanSquaredError';
}

export function optimizerFor(spec: RunSpec): TF.Optimizer {
  const lr = spec.train.learningRate;
  if (spec.train.optimizer === 'sgd') return tf.train.sgd(lr);
  if (spec.train.optimizer === 'rmsprop') return tf.train.rmsprop(lr);
  return tf.train.adam(lr);
}
