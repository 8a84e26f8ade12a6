// TF.js recurrent layers as ONNX LSTM / GRU / RNN operators.
//
// Weight layout. TF.js (Keras) keeps, per direction, kernel [F, G·U], recurrentKernel [U, G·U] and
// bias [G·U], gates side by side in the order i,f,c,o (LSTM) or z,r,h (GRU). ONNX wants
// W [dirs, G·U, F] and R [dirs, G·U, U] (transposed), gates in the order i,o,f,c (LSTM) or z,r,h
// (GRU), and B [dirs, 2·G·U] = input bias then recurrent bias (zero here: Keras has one bias).
//
// Semantics that must match exactly:
// - gate activation: TF.js' LSTM/GRU default recurrentActivation is hardSigmoid, clip(0.2x+0.5, 0, 1),
//   which is ONNX HardSigmoid with its default alpha 0.2 and beta 0.5 (the defaults are used: runtimes
//   differ in how they consume activation_alpha lists across directions). The activations are read
//   from each layer's config, never assumed.
// - GRU: TF.js implements only reset_after = false (the reset gate applied to h before the recurrent
//   matmul; its GRUCell throws on resetAfter), which is ONNX linear_before_reset = 0.
// - Bidirectional (mergeMode concat, as worker/model/build.ts builds it): forward then backward
//   features; the backward direction's last-step output is its state after reading the whole window
//   backwards, which is ONNX Y_h for the reverse direction.
import { Graph } from './graph.js';

export type RnnOp = 'LSTM' | 'GRU' | 'RNN';

/** One direction's TF.js weights. */
export interface DirectionWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
}

export interface RecurrentLayer {
  op: RnnOp;
  units: number;
  inputSize: number;
  /** TF.js activation names from the layer config: `activation` and, for LSTM/GRU, `recurrentActivation`. */
  activation: string;
  recurrentActivation: string | null;
  returnSequences: boolean;
  /** One entry (forward) or two (forward, backward). */
  directions: DirectionWeights[];
}

/** For each ONNX gate slot, the TF.js gate it comes from. */
const GATE_FROM: Record<RnnOp, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], RNN: [0] };

const ACTIVATION: Record<string, string> = {
  hardSigmoid: 'HardSigmoid',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
};

function onnxActivation(name: string): string {
  const a = ACTIVATION[name];
  if (!a) throw new Error(`the ${name} activation of a recurrent layer has no ONNX equivalent here`);
  return a;
}

/** [rows, G·U] (TF.js) → [G·U, rows] with ONNX gate order, written at `out[offset…]`. */
function transposeGates(
  src: Float32Array,
  rows: number,
  units: number,
  from: number[],
  out: Float32Array,
  offset: number,
): void {
  const cols = from.length * units;
  from.forEach((tfGate, g) => {
    for (let u = 0; u < units; u++) {
      for (let r = 0; r < rows; r++) out[offset + (g * units + u) * rows + r] = src[r * cols + tfGate * units + u]!;
    }
  });
}

/** ONNX W, R, B tensors for a layer (all directions). */
export function onnxWeights(l: RecurrentLayer): { W: Float32Array; R: Float32Array; B: Float32Array; gates: number } {
  const from = GATE_FROM[l.op];
  const G = from.length;
  const U = l.units;
  const D = l.directions.length;
  const W = new Float32Array(D * G * U * l.inputSize);
  const R = new Float32Array(D * G * U * U);
  const B = new Float32Array(D * 2 * G * U); // recurrent biases (second half per direction) stay 0
  l.directions.forEach((d, k) => {
    if (d.kernel.length !== l.inputSize * G * U || d.recurrentKernel.length !== U * G * U || d.bias.length !== G * U) {
      throw new Error(`${l.op} weights do not have the shapes of ${U} units over ${l.inputSize} inputs`);
    }
    transposeGates(d.kernel, l.inputSize, U, from, W, k * G * U * l.inputSize);
    transposeGates(d.recurrentKernel, U, U, from, R, k * G * U * U);
    from.forEach((tfGate, g) => B.set(d.bias.subarray(tfGate * U, (tfGate + 1) * U), k * 2 * G * U + g * U));
  });
  return { W, R, B, gates: G };
}

/**
 * Adds the layer reading `x` ([steps, batch, inputSize], time-major) and returns its output:
 * [steps, batch, dirs·units] when it returns sequences, else [batch, dirs·units].
 */
export function addRecurrent(g: Graph, x: string, l: RecurrentLayer, stem: string): string {
  const D = l.directions.length;
  const { W, R, B, gates } = onnxWeights(l);
  const U = l.units;
  const w = g.floats(`${stem}_W`, [D, gates * U, l.inputSize], W);
  const r = g.floats(`${stem}_R`, [D, gates * U, U], R);
  const b = g.floats(`${stem}_B`, [D, 2 * gates * U], B);
  const perDirection =
    l.op === 'RNN'
      ? [l.activation]
      : l.op === 'GRU'
        ? [l.recurrentActivation!, l.activation]
        : [l.recurrentActivation!, l.activation, l.activation];
  const activations = Array.from({ length: D }, () => perDirection.map(onnxActivation)).flat();
  const attrs = {
    hidden_size: U,
    direction: D === 2 ? 'bidirectional' : 'forward',
    activations: { strings: activations },
    ...(l.op === 'GRU' ? { linear_before_reset: 0 } : {}),
  };
  // Outputs: Y [steps, dirs, batch, units], Y_h [dirs, batch, units] ('' leaves one unused).
  const [y, yh] = g.node(l.op, [x, w, r, b], l.returnSequences ? [`${stem}_Y`] : ['', `${stem}_Y_h`], attrs);
  if (l.returnSequences) {
    if (D === 1) return g.op('Squeeze', [y!, g.ints(`${stem}_axis`, [1])], `${stem}_seq`);
    const t = g.op('Transpose', [y!], `${stem}_Y_t`, { perm: [0, 2, 1, 3] }); // [steps, batch, dirs, units]
    return g.op('Reshape', [t, g.ints(`${stem}_shape`, [0, 0, D * U])], `${stem}_seq`);
  }
  if (D === 1) return g.op('Squeeze', [yh!, g.ints(`${stem}_axis`, [0])], `${stem}_last`);
  const t = g.op('Transpose', [yh!], `${stem}_Y_h_t`, { perm: [1, 0, 2] }); // [batch, dirs, units]
  return g.op('Reshape', [t, g.ints(`${stem}_shape`, [0, D * U])], `${stem}_last`);
}
