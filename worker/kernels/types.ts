// The raw fused-RNN kernel interface, shared by every implementation (WebAssembly SIMD on the CPU in
// this folder, WebGPU in webgpu/). It speaks plain Float32Arrays in the TF.js layouts so that the
// TF.js layer wrapper (layer.ts) can hand tensors' dataSync() straight in and wrap results back.
//
// Conventions (all row-major, exactly as tf.layers stores them, so weights move between a fused
// model and a tf.layers model with getWeights()/setWeights()):
//   G = gates per cell: simpleRNN 1, lstm 4 (i, f, c, o), gru 3 (z, r, h; reset_after = false)
//   x               [B, T, F]     batch-major, as a TF.js RNN layer receives it
//   kernel          [F, G·H]      column g·H + j is gate g, unit j
//   recurrentKernel [H, G·H]
//   bias            [G·H]
//   output          [B, T, H] when returnSequences, else [B, H] (the last step)
// The initial state is zero (tf.layers' default for a non-stateful layer); no masking, no dropout
// (the model builder puts dropout in separate layers).
//
// Cell equations (act = tanh; rec = recurrentActivation, tf.layers' default is hardSigmoid:
// clip(0.2·x + 0.5, 0, 1)):
//   simpleRNN: h' = act(x·W + h·U + b)
//   lstm:      [zi zf zc zo] = x·W + h·U + b; i=rec(zi) f=rec(zf) o=rec(zo)
//              c' = f·c + i·act(zc); h' = o·act(c')
//   gru:       z = rec(x·Wz + h·Uz + bz); r = rec(x·Wr + h·Ur + br)
//              hh = act(x·Wh + bh + (r·h)·Uh); h' = z·h + (1 − z)·hh

import { CELLS, gateCount, type Cell } from '../../core/spec.js';

export { CELLS, gateCount, type Cell };
export type RecurrentActivation = 'hardSigmoid' | 'sigmoid';

/** Whether a value names a cell the kernels implement (configs may come from JSON). */
export function isCell(cell: unknown): cell is Cell {
  return (CELLS as readonly unknown[]).includes(cell);
}

/** Static description of one fused call. */
export interface RnnShape {
  cell: Cell;
  /** B */
  batch: number;
  /** T */
  steps: number;
  /** F */
  features: number;
  /** H */
  units: number;
  returnSequences: boolean;
  /** Ignored for simpleRNN (which has no gates). Default: 'hardSigmoid' like tf.layers. */
  recurrentActivation?: RecurrentActivation;
}

export interface RnnWeights {
  /** [F, G·H] */
  kernel: Float32Array;
  /** [H, G·H] */
  recurrentKernel: Float32Array;
  /** [G·H] */
  bias: Float32Array;
}

/**
 * What forward() saved for backward(): owned by the kernel (it may live in WebAssembly memory or a
 * GPU buffer). Pass it to backward() once, or release it with dispose() if no gradient is needed.
 * A kernel may keep at most one live tape per layer instance and reuse its memory on the next call.
 */
export interface RnnTape {
  readonly shape: RnnShape;
  dispose(): void;
}

export interface RnnForwardResult {
  /** [B, T, H] or [B, H]; a fresh array the caller owns, or the `into` it passed. */
  output: Float32Array;
  /** Present when forward() was called with training = true. */
  tape?: RnnTape;
}

export interface RnnGradients {
  /** [B, T, F]; empty when backward() was told no one reads it. */
  dx: Float32Array;
  /** [F, G·H] */
  dKernel: Float32Array;
  /** [H, G·H] */
  dRecurrentKernel: Float32Array;
  /** [G·H] */
  dBias: Float32Array;
}

/**
 * A synchronous fused RNN kernel (what tf.customGrad needs: its forward and gradient functions
 * cannot await). forward() runs the whole sequence; backward() runs BPTT over it.
 */
export interface RnnKernel {
  /** e.g. 'fused-wasm-simd', 'fused-wasm-simd-2threads', 'fused-webgpu'. */
  readonly name: string;
  /**
   * `into`: where the caller wants the output (the fused step hands a view of its own memory, and
   * saves an allocation and a copy per batch). A kernel may write it there and return it, or
   * ignore it and return a fresh array: the caller reads `output` either way.
   */
  forward(shape: RnnShape, x: Float32Array, w: RnnWeights, training: boolean, into?: Float32Array): RnnForwardResult;
  /**
   * dy has the output's shape ([B, T, H] or [B, H]). Consumes the tape. The weights are those
   * forward() was called with (a kernel may have kept a copy; the caller must not change them in
   * between, which holds inside one TF.js train step). `dx: false` (the first layer, whose input
   * is data): dx comes back empty, and a kernel may skip computing it. `grads`: where the caller
   * wants the weight gradients, with the same may-or-may-not contract as forward()'s `into`.
   */
  backward(tape: RnnTape, dy: Float32Array, opts?: { dx?: boolean; grads?: Omit<RnnGradients, 'dx'> }): RnnGradients;
  /** Frees memory and worker threads. */
  dispose(): void;
}

/** Number of floats of each array for a shape; implementations validate their inputs with it. */
export function rnnSizes(s: RnnShape): {
  x: number;
  kernel: number;
  recurrentKernel: number;
  bias: number;
  output: number;
} {
  const g = gateCount(s.cell) * s.units;
  return {
    x: s.batch * s.steps * s.features,
    kernel: s.features * g,
    recurrentKernel: s.units * g,
    bias: g,
    output: s.batch * (s.returnSequences ? s.steps : 1) * s.units,
  };
}
