// One thread's share of a whole training step, kept as source text for the reason engine-src.ts
// gives (the main thread and the worker threads run the same code, so their results are the same
// bits). Batch rows never mix inside an RNN stack, the dense layers or the loss's gradient, so each
// thread runs the whole step for its rows: every RNN layer's forward, the dense layers, the loss's
// gradient, the dense layers' backward and every RNN layer's backward; the threads meet once per
// batch, where the main thread adds up their weight gradients (split-step.ts). Before, they met
// twice per RNN layer and the main thread ran the dense layers alone.
//
// The dense layers' weight gradients are summed per slice and up the same fixed tree as the RNN
// layers' (slices.ts), so that they too are the same bits whatever the number of threads.
//
// A spec (completeSpec) says what the step computes: T steps of F inputs, the batch's Bt rows, the
// loss code (step.ts LOSS_CODE); per RNN layer its engine id, cell, gate activation, units,
// returnSequences and the keep threshold of the dropout after it (0: none); per dense layer K
// inputs, N outputs and its activation. Weights lie in one vector in the model's order (per RNN
// layer kernel, recurrent kernel, bias; per dense layer kernel, bias), as in the step engine's
// memory.
//
// A worker thread's call (OP_STEP) carries its rows' inputs in its mailbox, [x | y | weights |
// dropout masks] (rowsInputs), and gets its results back there (rowsLayout): its predictions, then
// per RNN layer (last first) its pieces' [dW dU db], then per dense layer (last
// first) its pieces' [dW db]. Each thread draws its rows' dropout masks (dropout.ts MASK_JS, from
// the stream position of its first row: the same bits as one draw over the batch) and applies them
// to its layer's output and to the gradient coming back. Masks from uniforms other than the default
// (tests give TF.js's) are drawn by the main thread over the batch and copied in instead.

import { MASK_JS } from './dropout.js';

/** Where the step's description starts in the mailbox header (after the gradient pieces, mailbox.ts MB.PIECES). */
export const STEP_HEADER_AT = 96;

export const ROWS_JS = String.raw`
const STEP_HEADER_AT = ${STEP_HEADER_AT};
${MASK_JS}
// A dropout's keep threshold (float32) travels in an int32 header slot as its bits.
const BITS_F = new Float32Array(1), BITS_I = new Int32Array(BITS_F.buffer);
const keepBits = (keep) => ((BITS_F[0] = keep), BITS_I[0]);
const keepOfBits = (bits) => ((BITS_I[0] = bits), BITS_F[0]);
// Built property by property: an object spread here cost 2–3 µs (V8 12 in Node 20), 11 µs a call.
function completeSpec(s) {
  let F = s.F, o = 0;
  const layers = s.layers.map((l) => {
    const G = l.cell === 1 ? 4 : l.cell === 2 ? 3 : 1, H = l.H;
    const out = { id: l.id, cell: l.cell, act: l.act, H, retSeq: l.retSeq, keep: l.keep, F, G, oW: o, oU: o + F * G * H, oB: o + (F + H) * G * H };
    o = out.oB + G * H;
    F = H;
    return out;
  });
  const dense = s.dense.map((d) => {
    const out = { K: d.K, N: d.N, act: d.act, oW: o, oB: o + d.K * d.N };
    o = out.oB + d.N;
    return out;
  });
  return { T: s.T, F: s.F, Bt: s.Bt, loss: s.loss, layers, dense, N: dense[dense.length - 1].N, nW: o };
}
// The header: [Bt loss L D], per RNN layer [id cell act H retSeq keep's bits (0: no dropout)], per
// dense layer [K N act], then this call's masks (maskCallAt): [the part's first row, 1 when the
// thread draws its masks, per RNN layer its mask stream's start].
function writeStepHeader(i32, s) {
  let a = STEP_HEADER_AT;
  i32[a++] = s.Bt; i32[a++] = s.loss; i32[a++] = s.layers.length; i32[a++] = s.dense.length;
  if (maskCallAt(s) + 2 + s.layers.length > i32.length) throw new Error('fused train step: too many layers for the mailbox header');
  for (const l of s.layers) {
    i32[a++] = l.id; i32[a++] = l.cell; i32[a++] = l.act; i32[a++] = l.H; i32[a++] = l.retSeq ? 1 : 0; i32[a++] = keepBits(l.keep);
  }
  for (const d of s.dense) { i32[a++] = d.K; i32[a++] = d.N; i32[a++] = d.act; }
}
const maskCallAt = (s) => STEP_HEADER_AT + 4 + 6 * s.layers.length + 3 * s.dense.length;
// starts: per RNN layer its mask stream's start (dropout.ts maskStreamStart), or null: the masks are in the mailbox.
function writeMaskCall(i32, s, b0, starts) {
  let a = maskCallAt(s);
  i32[a++] = b0;
  i32[a++] = starts ? 1 : 0;
  for (let i = 0; i < s.layers.length; i++) i32[a++] = starts ? starts[i] | 0 : 0;
}
// A worker's masks for its R rows: views of its mailbox, drawn there unless the main thread copied them in.
function rowsMasks(i32, D, s, R) {
  const at = maskCallAt(s), b0 = i32[at], draw = i32[at + 1] === 1, inp = rowsInputs(s, R);
  return s.layers.map((l, i) => {
    if (!(l.keep > 0)) return null;
    const n = (l.retSeq ? s.T : 1) * l.H, mask = D.subarray(inp.masks[i], inp.masks[i] + R * n);
    if (draw) drawMask(mask, i32[at + 2 + i], l.keep, b0 * n);
    return mask;
  });
}
function readStepHeader(i32, T, F) {
  let a = STEP_HEADER_AT;
  const Bt = i32[a++], loss = i32[a++], L = i32[a++], D = i32[a++];
  const layers = [], dense = [];
  for (let i = 0; i < L; i++) {
    layers.push({ id: i32[a], cell: i32[a + 1], act: i32[a + 2], H: i32[a + 3], retSeq: i32[a + 4] === 1, keep: i32[a + 5] === 0 ? 0 : keepOfBits(i32[a + 5]) });
    a += 6;
  }
  for (let j = 0; j < D; j++) { dense.push({ K: i32[a], N: i32[a + 1], act: i32[a + 2] }); a += 3; }
  return completeSpec({ T, F, Bt, loss, layers, dense });
}
// A worker's inputs in its mailbox's data: x, y, the weights, then the dropout masks of its rows
// (per layer with dropout after it), in floats from the data's start.
function rowsInputs(s, R) {
  let o = R * (s.T * s.F + s.N) + s.nW;
  const masks = s.layers.map((l) => {
    if (!(l.keep > 0)) return null;
    const at = o;
    o += R * (l.retSeq ? s.T : 1) * l.H;
    return at;
  });
  return { x: 0, y: R * s.T * s.F, w: R * (s.T * s.F + s.N), masks, total: o };
}
// Its results there, after the masks (still read during the backward) when it has any.
function rowsLayout(s, R, nPieces) {
  const inputs = rowsInputs(s, R), base = inputs.masks.some((m) => m !== null) ? inputs.total : 0;
  let o = base + R * s.N;
  const layers = [], dense = [];
  for (let i = s.layers.length - 1; i >= 0; i--) {
    const l = s.layers[i];
    const nG = (l.F + l.H + 1) * l.G * l.H;
    layers[i] = { at: o, nG };
    o += nPieces * nG;
  }
  for (let j = s.dense.length - 1; j >= 0; j--) {
    const nG = (s.dense[j].K + 1) * s.dense[j].N;
    dense[j] = { at: o, nG };
    o += nPieces * nG;
  }
  return { p: base, layers, dense, total: o };
}
// sx: a step engine's exports (src/step.c), whose memory holds the weights at a.wPtr.
function createRows(sx) {
  const LEVELS = 8; // gradient-tree depths (16 slices need 5)
  const bufs = new Map();
  const alloc = (n) => {
    const p = sx.step_alloc(n);
    if (!p) throw new Error('fused train step: cannot grow WebAssembly memory');
    return p;
  };
  const f32 = (p, n) => new Float32Array(sx.memory.buffer, p, n);
  // Per row count: per dense layer its input (the first only: the others read the previous
  // layer's output), output, output's gradient and gradient accumulators; the targets; the
  // dense layers' dx; the RNN layers' outputs but the last (it writes into the first dense input).
  function buffersFor(s, R) {
    let b = bufs.get(R);
    if (b) return b;
    const dense = s.dense.map((d, j) => ({
      x: j === 0 ? alloc(R * d.K) : 0,
      y: alloc(R * d.N),
      dy: alloc(R * d.N),
      acc: alloc(LEVELS * (d.K + 1) * d.N),
    }));
    dense.forEach((d, j) => { if (j > 0) d.x = dense[j - 1].y; });
    b = { dense, t: alloc(R * s.N), dx: alloc(R * s.dense[0].K), hs: s.layers.map((l) => new Float32Array(R * s.T * l.H)) };
    bufs.set(R, b);
    return b;
  }
  const addInto = (s, t) => { for (let q = 0; q < s.length; q++) s[q] += t[q]; };
  // x ⊙ mask in place, as dropout.ts does it (the same bits as the per-layer path).
  const mul = (x, m) => { for (let q = 0; q < x.length; q++) x[q] = x[q] * m[q]; };
  // a: { s (spec), engines, R, x, y, wPtr (the weights in the step engine's memory), w (a worker:
  // where the RNN layers' weights are read instead, its mailbox), masks (per RNN layer, its rows'
  // dropout mask or null), pieces, p (where the predictions go), then either
  // depths (the main thread: its pieces stay in its accumulators for gather) or into and lay (a
  // worker: its pieces' sums go into its mailbox at rowsLayout's places) }.
  function run(a) {
    const s = a.s, R = a.R, b = buffersFor(s, R), L = s.layers.length, D = s.dense.length;
    // The weights' view is taken after buffersFor: memory.grow detaches views of the old buffer.
    const w = a.w ?? f32(a.wPtr, s.nW);
    const W = (o, n) => w.subarray(o, o + n);
    f32(b.t, R * s.N).set(a.y);
    let h = a.x;
    for (let i = 0; i < L; i++) {
      const l = s.layers[i];
      const into = i === L - 1 ? f32(b.dense[0].x, R * s.dense[0].K) : b.hs[i];
      const GH = l.G * l.H;
      h = a.engines[i].run('forward', { cell: l.cell, act: l.act, B: R, T: s.T, F: l.F, H: l.H, retSeq: l.retSeq, x: h,
        W: W(l.oW, l.F * GH), U: W(l.oU, l.H * GH), bias: W(l.oB, GH), into });
      if (a.masks[i]) mul(h, a.masks[i]);
    }
    for (let j = 0; j < D; j++) {
      const d = s.dense[j], bj = b.dense[j];
      sx.dense_forward(bj.x, a.wPtr + 4 * d.oW, a.wPtr + 4 * d.oB, bj.y, R, d.K, d.N, d.act);
    }
    const out = b.dense[D - 1];
    a.p.set(f32(out.y, R * s.N));
    sx.loss_grad(s.loss, out.y, b.t, out.dy, R, s.N, s.Bt);
    for (let j = D - 1; j >= 0; j--) {
      const d = s.dense[j], bj = b.dense[j], nG = (d.K + 1) * d.N;
      const dxPtr = j > 0 ? b.dense[j - 1].dy : b.dx;
      const acc = (lv) => {
        if (lv >= LEVELS) throw new Error('fused train step: gradient tree too deep');
        return bj.acc + 4 * lv * nG;
      };
      const sum = (e, lv) => {
        if ('b0' in e) {
          const at = acc(lv);
          sx.dense_backward(bj.x + 4 * e.b0 * d.K, a.wPtr + 4 * d.oW, bj.y + 4 * e.b0 * d.N, bj.dy + 4 * e.b0 * d.N,
            dxPtr + 4 * e.b0 * d.K, at, at + 4 * d.K * d.N, e.b1 - e.b0, d.K, d.N, d.act);
          return;
        }
        sum(e.l, lv);
        sum(e.r, lv + 1);
        addInto(f32(acc(lv), nG), f32(acc(lv + 1), nG));
      };
      a.pieces.forEach((e, k) => {
        if (!a.into) return sum(e, a.depths[k]);
        sum(e, 0);
        a.into.set(f32(acc(0), nG), a.lay.dense[j].at + k * nG);
      });
    }
    let dy = f32(b.dx, R * s.dense[0].K);
    // dx comes back as a view of the layer's engine memory (dxView), which the layer below copies in.
    for (let i = L - 1; i >= 0; i--) {
      if (a.masks[i]) mul(dy, a.masks[i]);
      if (!a.into) {
        dy = a.engines[i].run('backward', { dy, dx: i > 0, pieces: a.pieces, depths: a.depths, dxView: true });
        continue;
      }
      const at = a.lay.layers[i];
      const into = a.into.subarray(at.at, at.at + a.pieces.length * at.nG);
      dy = a.engines[i].run('backward', { dy, dx: i > 0, pieces: a.pieces, into, dxView: true });
    }
  }
  // The main thread, after its run: the dense layers' sums up the tree (slices.ts TopExpr; exts[j][part][k]:
  // dense layer j's piece k from that part), each into out[j] ([dW db]).
  function gatherDense(s, R, top, exts, out) {
    const b = buffersFor(s, R);
    s.dense.forEach((d, j) => {
      const nG = (d.K + 1) * d.N;
      const acc = (lv) => {
        if (lv >= LEVELS) throw new Error('fused train step: gradient tree too deep');
        return f32(b.dense[j].acc + 4 * lv * nG, nG);
      };
      const walk = (e, lv) => {
        if ('own' in e) return;
        if ('ext' in e) return acc(lv).set(exts[j][e.ext[0]][e.ext[1]]);
        walk(e.l, lv);
        walk(e.r, lv + 1);
        addInto(acc(lv), acc(lv + 1));
      };
      walk(top, 0);
      out[j].set(acc(0));
    });
  }
  return { run, gatherDense };
}
`;
