// The JavaScript side of one WebAssembly engine (one module instance: one layer's tape on one
// thread), kept as source text because the same code runs on the main thread (new Function) and
// inside worker threads started with `eval: true` (a worker cannot import our .ts sources under
// tsx/vitest, and a string also survives bundling and asar packaging).
//
// createEngine(module) → { run(op, args) } where
//   run('forward', { cell, act, B, T, F, H, retSeq, x, W, U, bias, into? }) → Float32Array output
//   run('backward', { dy, dx, pieces, depths }) → dx (empty when args.dx is false); each piece, a sum
//     of slices of the engine's rows (slices.ts), stays in accumulator depths[k] for 'gather'
//   run('gather', { top, exts, first? }) → { dW, dU, db }: the whole batch's weight gradients, the
//     sum tree above the pieces (slices.ts TopExpr; exts[j][k]: part j's piece k as [dW dU db]),
//     written into first's arrays when given, else fresh ones
//   With into (a worker thread's mailbox data), the results are written there instead, the
//   backward's as [dx | dW dU db per piece] (no depths), and backward returns null; with dxView
//   too, into gets only the pieces and backward returns dx as a view of the engine's memory.
//   run('release') → null: frees the engine's memory now where it can (the native engine)
// cell: 0 simpleRNN, 1 lstm, 2 gru; act: 0 hardSigmoid, 1 sigmoid.

import { DECODE_PIECES_JS, KIND_MAIL, MB, MB_HEADER, OP_FORWARD, OP_STEP, STATUS_ERROR, STATUS_OK } from './mailbox.js';
import { ROWS_JS } from './rows-src.js';

/** Indices of rnn_ptr() in src/rnn.c (enum P_*). */
export const ENGINE_JS = String.raw`
// The native engine's calls under the wasm exports' names (modules.ts NativeModule): its buffers
// are an ArrayBuffer allocated here and attached to it, viewed as the wasm memory is.
function nativeExports(native) {
  const addon = require(native.path);
  const e = addon.create(native.isa);
  const memory = { buffer: new ArrayBuffer(0) };
  return {
    memory,
    rnn_setup(cell, act, b, t, f, h, retSeq) {
      let got = addon.setup(e, cell, act, b, t, f, h, retSeq);
      if (typeof got === 'number') {
        // The engine needs a larger buffer: allocated here, where running out of memory is a
        // RangeError (and the caller's message), not the end of the process (engine.c).
        addon.release(e);
        let buffer;
        try {
          buffer = new ArrayBuffer(got);
        } catch {
          return -1;
        }
        addon.attach(e, buffer);
        got = addon.setup(e, cell, act, b, t, f, h, retSeq);
      }
      if (!got || typeof got === 'number') return -1;
      memory.buffer = got;
      return 0;
    },
    rnn_ptr: (which) => addon.ptr(e, which),
    rnn_forward: () => addon.forward(e),
    rnn_backward: (needDx, slices) => addon.backward(e, needDx, slices),
    rnn_wgrad_to: (b0, b1, d) => addon.wgradTo(e, b0, b1, d),
    rnn_acc_add: (d) => addon.accAdd(e, d),
    release: () => addon.release(e),
  };
}

function createEngine(module) {
  const ex = module.native ? nativeExports(module.native) : new WebAssembly.Instance(module, {}).exports;
  const P = { W: 0, U: 1, BIAS: 3, XIN: 4, OUT: 11, DY: 12, DXOUT: 13, ACC: 26 };
  let shape = null;
  const view = (p, n) => new Float32Array(ex.memory.buffer, ex.rnn_ptr(p), n);
  function forward(a) {
    const G = a.cell === 1 ? 4 : a.cell === 2 ? 3 : 1;
    const GH = G * a.H;
    if (ex.rnn_setup(a.cell, a.act, a.B, a.T, a.F, a.H, a.retSeq ? 1 : 0) !== 0) {
      const mb = Math.round((a.B * a.T * (GH + 4 * a.H + 3 * a.F) * 4) / 2 ** 20);
      throw new Error('fused RNN kernel: cannot grow ' + (module.native ? 'its' : 'WebAssembly') + ' memory to about ' + mb +
        ' MB (batch ' + a.B + ', steps ' + a.T + ', units ' + a.H + '); use a smaller batch or fewer steps');
    }
    shape = { B: a.B, T: a.T, F: a.F, H: a.H, GH, retSeq: a.retSeq };
    view(P.XIN, a.B * a.T * a.F).set(a.x);
    view(P.W, a.F * GH).set(a.W);
    view(P.U, a.H * GH).set(a.U);
    view(P.BIAS, GH).set(a.bias);
    ex.rnn_forward();
    const out = view(P.OUT, a.B * (a.retSeq ? a.T : 1) * a.H);
    if (!a.into) return out.slice();
    a.into.set(out);
    return a.into;
  }
  // a.pieces: sums of this engine's batch slices to compute (slices.ts GradExpr: a slice's rows
  // { b0, b1 } or { l, r }), each in the tree's order in the accumulators.
  function backward(a) {
    const s = shape;
    if (!s) throw new Error('fused RNN kernel: backward() without a forward() on this engine');
    view(P.DY, s.B * (s.retSeq ? s.T : 1) * s.H).set(a.dy);
    const needDx = a.dx !== false;
    ex.rnn_backward(needDx ? 1 : 0, 1);
    const nW = s.F * s.GH, nU = s.H * s.GH;
    const sum = (e, d) => {
      if ('b0' in e) {
        if (ex.rnn_wgrad_to(e.b0, e.b1, d) !== 0) throw new Error('fused RNN kernel: bad slice ' + e.b0 + '..' + e.b1);
        return;
      }
      sum(e.l, d);
      sum(e.r, d + 1);
      if (ex.rnn_acc_add(d) !== 0) throw new Error('fused RNN kernel: gradient tree too deep');
    };
    const nDx = needDx ? s.B * s.T * s.F : 0;
    // dxView: dx as a view of this engine's memory, valid until its next call (the step's rows,
    // rows-src.ts: the layer below copies it in at once), instead of a copy.
    const dx = () => (!needDx ? new Float32Array(0) : a.dxView ? view(P.DXOUT, nDx) : view(P.DXOUT, nDx).slice());
    if (a.into) {
      // [dx | piece 0's dW dU db | piece 1's …] (mailbox.ts); without dx where it is a view.
      const at = a.dxView ? 0 : nDx;
      if (needDx && !a.dxView) a.into.set(view(P.DXOUT, nDx));
      a.pieces.forEach((e, k) => {
        sum(e, 0);
        a.into.set(view(P.ACC, nW + nU + s.GH), at + k * (nW + nU + s.GH));
      });
      return a.dxView ? dx() : null;
    }
    a.pieces.forEach((e, k) => sum(e, a.depths[k]));
    return dx();
  }
  // After backward with depths: the other threads' pieces copied into their accumulators and
  // everything added up the tree, in vectors (a sum in JavaScript cost 1 ns a float).
  function gather(a) {
    const s = shape;
    if (!s) throw new Error('fused RNN kernel: gather without a backward() on this engine');
    const n = s.F * s.GH + s.H * s.GH + s.GH;
    const acc = (d) => new Float32Array(ex.memory.buffer, ex.rnn_ptr(P.ACC) + 4 * d * n, n);
    const walk = (e, d) => {
      if ('own' in e) return;
      if ('ext' in e) {
        const got = a.exts[e.ext[0]][e.ext[1]];
        if (got.length !== n) throw new Error('fused RNN kernel: a thread sent ' + got.length + ' gradient values, expected ' + n);
        acc(d).set(got);
        return;
      }
      walk(e.l, d);
      walk(e.r, d + 1);
      if (ex.rnn_acc_add(d) !== 0) throw new Error('fused RNN kernel: gradient tree too deep');
    };
    walk(a.top, 0);
    const all = a.first ? acc(0) : acc(0).slice();
    const nW = s.F * s.GH, nU = s.H * s.GH;
    const g = { dW: all.subarray(0, nW), dU: all.subarray(nW, nW + nU), db: all.subarray(nW + nU) };
    const t = a.first;
    if (!t) return g;
    t.dW.set(g.dW);
    t.dU.set(g.dU);
    t.db.set(g.db);
    return t;
  }
  return {
    run(op, a) {
      if (op === 'forward') return forward(a);
      if (op === 'backward') return backward(a);
      if (op === 'gather') return gather(a);
      // Frees the engine's memory now where it can (the native engine; a wasm instance's memory
      // goes with the instance).
      if (op === 'release') { shape = null; if (ex.release) ex.release(); return null; }
      throw new Error('fused RNN kernel: unknown op ' + op);
    },
  };
}
`;

/** Worker thread main loop: spins a while, then blocks in Atomics.wait; serves the calls in its mailbox and the messages on its port. */
export const WORKER_JS = String.raw`
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
${ENGINE_JS}
${DECODE_PIECES_JS}
${ROWS_JS}
const { port, ctrl, spin, module, stepModule } = workerData;
const engines = new Map(); // layer id -> engine; a training step's id -> its step engine (stepFor)
const MB = ${JSON.stringify(MB)};
let I, D; // the mailbox's header and data (mailbox.ts)
const useMailbox = (buffer) => {
  I = new Int32Array(buffer, 0, ${MB_HEADER});
  D = new Float32Array(buffer, ${4 * MB_HEADER});
};
useMailbox(workerData.mail);
const engineFor = (id) => {
  let e = engines.get(id);
  if (!e) { e = createEngine(module); engines.set(id, e); }
  return e;
};
// A training step's rows on this thread (rows-src.ts): a step engine of its own, holding the step's
// description (the same at every call but for T and the batch's rows) and its dense layers' weights,
// copied from the mailbox at each call. Released with 'free'.
function stepFor(id, T, F) {
  let st = engines.get(id);
  if (!st) {
    const s = readStepHeader(I, T, F);
    const sx = new WebAssembly.Instance(stepModule, {}).exports;
    const wPtr = sx.step_alloc(s.nW);
    if (!wPtr) throw new Error('fused train step: cannot grow WebAssembly memory');
    st = { s, sx, wPtr, rows: createRows(sx), run: () => null };
    engines.set(id, st);
  }
  return st;
}
function serveStep() {
  const R = I[MB.B], T = I[MB.T];
  const st = stepFor(I[MB.ID], T, I[MB.F]), s = st.s;
  s.T = T;
  s.Bt = I[STEP_HEADER_AT];
  const pieces = decodePieces(I, MB.PIECES);
  const inp = rowsInputs(s, R), ny = R * s.N, w = D.subarray(inp.w, inp.w + s.nW);
  // The RNN layers' engines copy their weights from the mailbox; the dense layers read theirs in the step engine.
  const o = s.dense[0].oW;
  new Float32Array(st.sx.memory.buffer, st.wPtr + 4 * o, s.nW - o).set(w.subarray(o));
  const masks = rowsMasks(I, D, s, R);
  const lay = rowsLayout(s, R, pieces.length);
  st.rows.run({ s, engines: s.layers.map((l) => engineFor(l.id)), R, x: D.subarray(inp.x, inp.y), y: D.subarray(inp.y, inp.w),
    w, wPtr: st.wPtr, masks, pieces, p: D.subarray(lay.p, lay.p + ny), into: D, lay });
}
// A forward or backward call written in the mailbox: its results go back there, over its inputs.
function serveMail() {
  try {
    if (I[MB.OP] === ${OP_STEP}) {
      serveStep();
      I[MB.STATUS] = ${STATUS_OK};
      return;
    }
    const e = engineFor(I[MB.ID]);
    const cell = I[MB.CELL], B = I[MB.B], T = I[MB.T], F = I[MB.F], H = I[MB.H], retSeq = I[MB.RETSEQ] === 1;
    if (I[MB.OP] === ${OP_FORWARD}) {
      const GH = (cell === 1 ? 4 : cell === 2 ? 3 : 1) * H;
      let o = 0;
      const take = (n) => D.subarray(o, (o += n));
      const x = take(B * T * F), W = take(F * GH), U = take(H * GH), bias = take(GH);
      e.run('forward', { cell, act: I[MB.ACT], B, T, F, H, retSeq, x, W, U, bias, into: D });
    } else {
      const dy = D.subarray(0, B * (retSeq ? T : 1) * H);
      e.run('backward', { dy, dx: I[MB.DX] === 1, pieces: decodePieces(I, MB.PIECES), into: D });
    }
    I[MB.STATUS] = ${STATUS_OK};
  } catch (err) {
    I[MB.STATUS] = ${STATUS_ERROR};
    port.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
}
// Whatever ends this thread, the main thread learns it from ctrl[2] (pool.ts awaitDone): it may be
// blocked in a call and never see the Worker's 'exit' event.
const gone = () => { Atomics.store(ctrl, 2, 1); Atomics.notify(ctrl, 1); };
process.on('exit', gone);
let seen = 0;
try {
  for (;;) {
    // Spin before sleeping (handoff.ts): the next call of a training step comes within a
    // millisecond or two, and a thread woken from Atomics.wait is late and lands on a busy core.
    const until = performance.now() + Atomics.load(spin, 0) / 1000;
    for (let i = 1; Atomics.load(ctrl, 0) === seen; i++) if ((i & 1023) === 0 && performance.now() > until) break;
    Atomics.wait(ctrl, 0, seen);
    const now = Atomics.load(ctrl, 0);
    while (seen < now) {
      // The mailbox's KIND is one slot: a message posted just before a mail (main posts 'exit' and
      // then calls) reads as the mail. The main thread waits for each mail before it posts again,
      // so a mail is always the last of the pending posts: serve it only then, messages first.
      if (I[MB.KIND] === ${KIND_MAIL} && now - seen === 1) {
        seen++;
        serveMail();
        Atomics.add(ctrl, 1, 1);
        Atomics.notify(ctrl, 1);
        continue;
      }
      const got = receiveMessageOnPort(port);
      if (!got) continue; // posted before the counter moved; it is on its way
      seen++;
      const m = got.message;
      if (m.op === 'exit') { port.close(); process.exit(0); }
      let reply;
      try {
        if (m.op === 'free') {
          engines.get(m.id)?.run('release');
          engines.delete(m.id);
          if (m.mail) useMailbox(m.mail);
        }
        else if (m.op === 'mailbox') useMailbox(m.buffer);
        else throw new Error('fused RNN kernel: unknown message ' + m.op);
        reply = { ok: true };
      } catch (err) {
        reply = { ok: false, error: String((err && err.message) || err) };
      }
      port.postMessage(reply);
      Atomics.add(ctrl, 1, 1);
      Atomics.notify(ctrl, 1);
    }
  }
} catch (err) {
  gone();
  throw err;
}
`;
