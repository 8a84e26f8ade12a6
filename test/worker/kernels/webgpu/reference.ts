// CPU reference for the GPU trainer: the same network as tf.layers on TF.js's pure-JS `cpu`
// backend, with the same weights; loss, gradients and one Adam step computed by TF.js itself.
import * as tf from '@tensorflow/tfjs';
import type { Cell, RecurrentActivation } from '../../../../worker/kernels/types.js';

export interface RefNet {
  cell: Cell;
  layers: number[];
  features: number;
  outputs: number;
  steps: number;
  recurrentActivation: RecurrentActivation;
}

let ready: Promise<boolean> | undefined;
function cpuBackend(): Promise<boolean> {
  ready ??= tf.setBackend('cpu');
  return ready;
}

function build(net: RefNet, weights: Float32Array[]): tf.Sequential {
  const model = tf.sequential();
  net.layers.forEach((units, i) => {
    const cfg = {
      units,
      returnSequences: i < net.layers.length - 1,
      ...(i === 0 ? { inputShape: [net.steps, net.features] } : {}),
    };
    if (net.cell === 'lstm') model.add(tf.layers.lstm({ ...cfg, recurrentActivation: net.recurrentActivation }));
    else if (net.cell === 'gru') model.add(tf.layers.gru({ ...cfg, recurrentActivation: net.recurrentActivation }));
    else model.add(tf.layers.simpleRNN(cfg));
  });
  model.add(tf.layers.dense({ units: net.outputs }));
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape)));
  return model;
}

/** Predictions, MSE loss and the gradient of every weight (getWeights() order) for one batch. */
export async function referenceGradients(
  net: RefNet,
  weights: Float32Array[],
  x: Float32Array,
  y: Float32Array,
): Promise<{ pred: Float32Array; loss: number; grads: Float32Array[] }> {
  await cpuBackend();
  const n = y.length / net.outputs;
  const model = build(net, weights);
  const xs = tf.tensor3d(x, [n, net.steps, net.features]);
  const ys = tf.tensor2d(y, [n, net.outputs]);
  const pred = (model.predict(xs) as tf.Tensor).dataSync() as Float32Array;
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(ys, model.apply(xs) as tf.Tensor) as tf.Scalar,
  );
  const out = model.trainableWeights.map((w) => {
    const g = grads[w.name];
    if (!g) throw new Error(`no gradient for ${w.name}`);
    return g.dataSync() as Float32Array;
  });
  const loss = value.dataSync()[0]!;
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
  model.dispose();
  return { pred, loss, grads: out };
}

/** Weights after `steps` Adam steps (TF.js defaults but the learning rate) on the whole batch. */
export async function referenceAdam(
  net: RefNet,
  weights: Float32Array[],
  x: Float32Array,
  y: Float32Array,
  learningRate: number,
  steps: number,
): Promise<Float32Array[]> {
  await cpuBackend();
  const n = y.length / net.outputs;
  const model = build(net, weights);
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
  const xs = tf.tensor3d(x, [n, net.steps, net.features]);
  const ys = tf.tensor2d(y, [n, net.outputs]);
  await model.fit(xs, ys, { batchSize: n, epochs: steps, shuffle: false, verbose: 0 });
  const out = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([xs, ys]);
  model.dispose();
  return out;
}

/** ‖a − b‖ / ‖b‖ (‖a − b‖ when b is zero). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    nb += b[i]! ** 2;
  }
  return nb > 0 ? Math.sqrt(d / nb) : Math.sqrt(d);
}
