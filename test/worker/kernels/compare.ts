// Shared by the kernel tests: runs a fused layer and the matching tf.layers layer on the same
// weights and inputs and returns the relative-norm differences of the output and every gradient.
import * as tf from '@tensorflow/tfjs';
import { fusedRnnLayer } from '../../../worker/kernels/index.js';
import type { Cell } from '../../../core/spec.js';

export function tfLayer(
  cell: Cell,
  units: number,
  returnSequences: boolean,
  extra: Record<string, unknown> = {},
): tf.layers.Layer {
  const args = { units, returnSequences, ...extra };
  return cell === 'lstm' ? tf.layers.lstm(args) : cell === 'gru' ? tf.layers.gru(args) : tf.layers.simpleRNN(args);
}

export function relNorm(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const d = tf.norm(tf.sub(a, b)).dataSync()[0]!;
    const n = tf.norm(b).dataSync()[0]!;
    return n === 0 ? d : d / n;
  });
}

export interface Case {
  cell: Cell;
  units: number;
  batch: number;
  steps: number;
  features: number;
  returnSequences: boolean;
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** Stack of layers (all but the last return sequences). */
  layers?: number;
}

/** Differences {output, dx, 'kernel#0', ...} between the fused and tf.layers stacks. */
export function compare(c: Case, seed = 1): Record<string, number> {
  const n = c.layers ?? 1;
  const extra = c.recurrentActivation ? { recurrentActivation: c.recurrentActivation } : {};
  const ref: tf.layers.Layer[] = [],
    fused: tf.layers.Layer[] = [];
  for (let i = 0; i < n; i++) {
    const rs = i < n - 1 ? true : c.returnSequences;
    ref.push(tfLayer(c.cell, c.units, rs, extra));
    fused.push(fusedRnnLayer({ cell: c.cell, units: c.units, returnSequences: rs, ...extra }));
  }
  const out: Record<string, number> = {};
  tf.tidy(() => {
    const x = tf.variable(tf.randomNormal([c.batch, c.steps, c.features], 0, 1, 'float32', seed));
    const run = (layers: tf.layers.Layer[]) => layers.reduce<tf.Tensor>((h, l) => l.apply(h) as tf.Tensor, x);
    run(ref);
    run(fused); // builds both
    for (let i = 0; i < n; i++) {
      // Random biases too, so the bias gradient path is exercised away from zero.
      const w = ref[i]!.getWeights();
      w[2] = tf.randomNormal(w[2]!.shape, 0, 0.5, 'float32', seed + 7 + i);
      ref[i]!.setWeights(w);
      fused[i]!.setWeights(w);
    }
    const shapeOut = run(ref).shape;
    const r = tf.randomNormal(shapeOut, 0, 1, 'float32', seed + 3);
    const grads = (layers: tf.layers.Layer[]) => {
      const vars = [x as tf.Variable, ...layers.flatMap((l) => l.trainableWeights.map((v) => v.read() as tf.Variable))];
      let y: tf.Tensor | null = null;
      const g = tf.variableGrads(() => {
        y = tf.keep(run(layers));
        return tf.sum(tf.mul(y, r)) as tf.Scalar;
      }, vars);
      return { y: y! as tf.Tensor, g: vars.map((v) => g.grads[v.name]!) };
    };
    const a = grads(fused),
      b = grads(ref);
    out.output = relNorm(a.y, b.y);
    out.dx = relNorm(a.g[0]!, b.g[0]!);
    const names = ['kernel', 'recurrent', 'bias'];
    for (let i = 1; i < a.g.length; i++)
      out[`${names[(i - 1) % 3]}#${Math.floor((i - 1) / 3)}`] = relNorm(a.g[i]!, b.g[i]!);
  });
  for (const l of [...ref, ...fused]) l.dispose();
  return out;
}
