// Seeded inputs of the raw kernel tests (wasm.test.ts, native.test.ts): the same shape gives the
// same numbers in every file, so results compare across builds. And relNorm, the steps' tests' measure.
import { gateCount, type RnnShape } from '../../../worker/kernels/types.js';

export function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

/** x, the weights and the output gradient dy of a shape. */
export function inputs(shape: RnnShape) {
  const GH = gateCount(shape.cell) * shape.units;
  return {
    x: rand(shape.batch * shape.steps * shape.features, 1),
    w: {
      kernel: rand(shape.features * GH, 2, 0.5),
      recurrentKernel: rand(shape.units * GH, 3, 0.3),
      bias: rand(GH, 4, 0.1),
    },
    dy: rand(shape.batch * (shape.returnSequences ? shape.steps : 1) * shape.units, 5),
  };
}

/** ‖a − b‖ / ‖b‖ over two arrays of the same length. */
export function relNorm(a: Float32Array, b: Float32Array): number {
  let d = 0,
    n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  return Math.sqrt(d / Math.max(n, 1e-30));
}
