// How a forward or backward call reaches a worker thread and its results come back: through the
// thread's mailbox, a SharedArrayBuffer both sides read and write, instead of a message.
//
// A message costs both sides: structured cloning of the weights and the batch going out, of the
// outputs and gradients coming back, and a port wake-up each way. At SimpleRNN(64), batch 64, a
// thread's half of a call computes in 120–240 µs, and the message round trip added about 100 µs
// per call to it (posting 15–30, reaching the thread 15–20, reading it 20, the reply 45), on the
// critical path twice per layer and batch. Through the mailbox a call is a few copies and a counter
// each way (the counters of pool.ts, which the thread and the main thread spin on).
//
// Layout: a header of 256 int32 (the call: op, layer id, shape, the backward's gradient pieces,
// the status), then the data: the call's inputs, overwritten by its results (the engine copies its
// inputs into its own memory before it writes anything back). Rare operations (free, exit, a
// larger mailbox, an error's text) still go by message; the header's KIND says which it is.
import type { GradExpr } from './slices.js';
import { rnnSizes, type Cell, type RnnShape, type RnnWeights } from './types.js';

/** The cell codes of src/rnn.c's rnn_setup(). */
export const CELL_CODE: Record<Cell, number> = { simpleRNN: 0, lstm: 1, gru: 2 };
/** rnn_setup()'s gate activation code: 0 hardSigmoid (tf.layers' default), 1 sigmoid. */
export const actCode = (shape: RnnShape): number => (shape.recurrentActivation === 'sigmoid' ? 1 : 0);

/** Header fields (int32 indices). */
export const MB = {
  KIND: 0,
  OP: 1,
  ID: 2,
  CELL: 3,
  ACT: 4,
  B: 5,
  T: 6,
  F: 7,
  H: 8,
  RETSEQ: 9,
  DX: 10,
  STATUS: 11,
  PIECES: 16,
} as const;
/** Header size in int32; the data starts after it. */
export const MB_HEADER = 256;
/** KIND: what the counter's move means. */
export const KIND_MESSAGE = 0;
export const KIND_MAIL = 1;
/** OP of a mail call. */
export const OP_FORWARD = 1;
export const OP_BACKWARD = 2;
/** A whole training step on the thread's rows (rows-src.ts). */
export const OP_STEP = 3;
/** STATUS after a mail call: ok, or failed (the error's text follows by message). */
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;

/** A thread's mailbox: the buffer and its two views. */
export interface Mailbox {
  buffer: SharedArrayBuffer;
  i32: Int32Array;
  f32: Float32Array;
}

export function newMailbox(dataFloats: number): Mailbox {
  const buffer = new SharedArrayBuffer(4 * (MB_HEADER + dataFloats));
  return { buffer, i32: new Int32Array(buffer, 0, MB_HEADER), f32: new Float32Array(buffer, 4 * MB_HEADER) };
}

/** Data floats a forward call on `rows` of the batch needs: x and the weights in, the output back. */
export function forwardFloats(shape: RnnShape, rows: number): number {
  const sz = rnnSizes(shape);
  return Math.max(
    (rows * sz.x) / shape.batch + sz.kernel + sz.recurrentKernel + sz.bias,
    (rows * sz.output) / shape.batch,
  );
}

/** Data floats a backward call needs: dy in; dx (when asked) and each piece's dW, dU, db back. */
export function backwardFloats(shape: RnnShape, rows: number, dx: boolean, pieces: number): number {
  const sz = rnnSizes(shape);
  const back = (dx ? (rows * sz.x) / shape.batch : 0) + pieces * (sz.kernel + sz.recurrentKernel + sz.bias);
  return Math.max((rows * sz.output) / shape.batch, back);
}

/** Writes a forward call of layer `id` on `rows` rows (x: those rows) into the mailbox. */
export function writeForward(
  m: Mailbox,
  id: number,
  shape: RnnShape,
  rows: number,
  x: Float32Array,
  w: RnnWeights,
): void {
  header(m.i32, OP_FORWARD, id, shape, rows);
  let o = 0;
  for (const a of [x, w.kernel, w.recurrentKernel, w.bias]) {
    m.f32.set(a, o);
    o += a.length;
  }
}

/** Writes a backward call (dy: the thread's rows) into the mailbox. */
export function writeBackward(
  m: Mailbox,
  id: number,
  shape: RnnShape,
  rows: number,
  dy: Float32Array,
  dx: boolean,
  pieces: GradExpr[],
): void {
  header(m.i32, OP_BACKWARD, id, shape, rows);
  m.i32[MB.DX] = dx ? 1 : 0;
  encodePieces(pieces, m.i32, MB.PIECES);
  m.f32.set(dy);
}

/**
 * A backward call's results, as views of the mailbox, valid until the thread's next call: dx, and
 * per piece its weight gradients as one array [dW dU db], which the main thread's engine copies
 * into its accumulators to add them up (engine-src.ts 'gather'). Copies here would cost an
 * allocation of 16 KB (SimpleRNN 64) each, about 3.5 µs, per thread and batch.
 */
export function readBackward(
  m: Mailbox,
  shape: RnnShape,
  rows: number,
  dx: boolean,
  pieces: number,
): { dx: Float32Array; grads: Float32Array[] } {
  const sz = rnnSizes(shape);
  const nGrad = sz.kernel + sz.recurrentKernel + sz.bias;
  const nDx = dx ? (rows * sz.x) / shape.batch : 0;
  const grads = Array.from({ length: pieces }, (_, k) => m.f32.subarray(nDx + k * nGrad, nDx + (k + 1) * nGrad));
  return { dx: m.f32.subarray(0, nDx), grads };
}

function header(i32: Int32Array, op: number, id: number, shape: RnnShape, rows: number): void {
  i32[MB.OP] = op;
  i32[MB.ID] = id;
  i32[MB.CELL] = CELL_CODE[shape.cell];
  i32[MB.ACT] = actCode(shape);
  i32[MB.B] = rows;
  i32[MB.T] = shape.steps;
  i32[MB.F] = shape.features;
  i32[MB.H] = shape.units;
  i32[MB.RETSEQ] = shape.returnSequences ? 1 : 0;
}

/**
 * The gradient pieces in prefix order: a slice `0, b0, b1`, a sum `1, left, right`; returns the
 * index after the last. Up to 16 slices, at most 16·3 + 15 ints for all of a thread's pieces.
 */
export function encodePieces(pieces: GradExpr[], out: Int32Array, at: number): number {
  const put = (e: GradExpr): void => {
    if ('b0' in e) {
      out[at++] = 0;
      out[at++] = e.b0;
      out[at++] = e.b1;
    } else {
      out[at++] = 1;
      put(e.l);
      put(e.r);
    }
  };
  out[at++] = pieces.length;
  for (const p of pieces) put(p);
  if (at > MB_HEADER) throw new Error('fused RNN kernel: gradient pieces do not fit the mailbox header');
  return at;
}

/** encodePieces' inverse, as the worker thread runs it (kept as source: see engine-src.ts). */
export const DECODE_PIECES_JS = String.raw`
function decodePieces(i32, at) {
  const get = () => (i32[at++] === 0 ? { b0: i32[at++], b1: i32[at++] } : { l: get(), r: get() });
  const n = i32[at++];
  const out = [];
  for (let k = 0; k < n; k++) out.push(get());
  return out;
}
`;
