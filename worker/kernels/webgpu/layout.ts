// Where every weight of the GPU trainer lives: the order and shapes getWeights() speaks (tf.layers'
// order), the flat `params` buffer the shaders read (per layer [F+H+1, G·H], then the head, then a
// transposed copy of each layer for the backward pass), and the seeded initial weights.
import { gateCount, type Cell } from '../types.js';
import type { LayerGeo, NetGeo } from './shaders.js';
import { mulberry32 } from '../../../core/random.js';

export interface NetShape {
  cell: Cell;
  /** units per stacked layer */
  layers: number[];
  features: number;
  outputs: number;
}

/** Row-major float counts of the weights in getWeights() order. */
export function weightShapes(o: NetShape): number[][] {
  const g = gateCount(o.cell);
  const shapes: number[][] = [];
  let f = o.features;
  for (const h of o.layers) {
    shapes.push([f, g * h], [h, g * h], [g * h]);
    f = h;
  }
  shapes.push([f, o.outputs], [o.outputs]);
  return shapes;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Glorot-uniform kernels, zero biases, LSTM forget bias 1 (tf.layers' unitForgetBias). */
export function initialWeights(o: NetShape, seed: number): Float32Array[] {
  const rand = mulberry32(seed);
  return weightShapes(o).map((shape, i) => {
    const n = size(shape);
    const w = new Float32Array(n);
    if (shape.length === 2) {
      const lim = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let k = 0; k < n; k++) w[k] = (rand() * 2 - 1) * lim;
    } else if (o.cell === 'lstm' && i % 3 === 2 && i < o.layers.length * 3) {
      const h = n / 4;
      w.fill(1, h, 2 * h);
    }
    return w;
  });
}

/** Layer offsets in `params`: trainable floats first (P of them), the transposed copies after. */
export function layerOffsets(o: NetShape): { layers: LayerGeo[]; headOff: number; P: number; paramFloats: number } {
  const layers: LayerGeo[] = [];
  let off = 0;
  let f = o.features;
  o.layers.forEach((h, i) => {
    if (!Number.isInteger(h) || h < 1)
      throw new Error(`GPU trainer: layer ${i} units must be a positive integer, got ${h}`);
    layers.push({ cell: o.cell, F: f, H: h, off, tOff: 0, first: i === 0, last: i === o.layers.length - 1 });
    off += (f + h + 1) * gateCount(o.cell) * h;
    f = h;
  });
  const headOff = off;
  const P = off + (f + 1) * o.outputs;
  let tOff = P;
  for (const l of layers) {
    l.tOff = tOff;
    tOff += (l.F + l.H) * gateCount(l.cell) * l.H;
  }
  return { layers, headOff, P, paramFloats: tOff };
}

/** The getWeights()-ordered arrays as the `params` buffer, transposed copies filled in. */
export function packParams(
  weights: Float32Array[],
  shapes: number[][],
  geo: NetGeo,
  paramFloats: number,
): Float32Array {
  if (weights.length !== shapes.length)
    throw new Error(`GPU trainer: expected ${shapes.length} weight arrays, got ${weights.length}`);
  const all = new Float32Array(paramFloats);
  let o = 0;
  weights.forEach((w, i) => {
    const n = size(shapes[i]!);
    if (w.length !== n)
      throw new Error(
        `GPU trainer: weight ${i} has ${w.length} values, expected ${n} (shape [${shapes[i]!.join(', ')}])`,
      );
    all.set(w, o);
    o += n;
  });
  for (const l of geo.layers) {
    const N = gateCount(l.cell) * l.H;
    for (let m = 0; m < l.F + l.H; m++)
      for (let n = 0; n < N; n++) all[l.tOff + n * (l.F + l.H) + m] = all[l.off + m * N + n]!;
  }
  return all;
}

/** The first P floats of `params` back as getWeights()-ordered arrays. */
export function splitWeights(flat: Float32Array, shapes: number[][]): Float32Array[] {
  const out: Float32Array[] = [];
  let o = 0;
  for (const shape of shapes) {
    const n = size(shape);
    out.push(flat.slice(o, o + n));
    o += n;
  }
  return out;
}
