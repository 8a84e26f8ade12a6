// The worker threads' mailboxes (worker/kernels/mailbox.ts): the gradient pieces survive the trip
// through the header, a call larger than the first mailbox gets a larger one and the same results
// (and gives it back when its layer is freed), a thread's error comes back with its text and leaves the thread serving, and a mailbox too large
// to allocate is a message, not a crash.
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { relaxedSimdFlag } from '../../../core/jobs.js';
import { defaultKernelBuild, shutdownKernelThreads, WasmRnnKernel } from '../../../worker/kernels/index.js';
import {
  DECODE_PIECES_JS,
  encodePieces,
  MB,
  MB_HEADER,
  OP_BACKWARD,
  OP_FORWARD,
} from '../../../worker/kernels/mailbox.js';
import { collect, collectMail, mailbox, post, postMail, threadPool } from '../../../worker/kernels/pool.js';
import { blockNodes, nodeExpr, sliceBounds, threadBlocks, type GradExpr } from '../../../worker/kernels/slices.js';
import type { RnnShape } from '../../../worker/kernels/types.js';
import { inputs } from './inputs.js';

// What the trainer's launch flag does on Node 20 (V8 11.3): the relaxed build compiles.
for (const f of relaxedSimdFlag()) setFlagsFromString(f);

afterAll(() => {
  shutdownKernelThreads();
});

const decodePieces = new Function(`${DECODE_PIECES_JS}; return decodePieces;`)() as (
  i32: Int32Array,
  at: number,
) => GradExpr[];

describe('kernel thread mailboxes', () => {
  it('every thread block of every batch size: its gradient pieces decode as they were encoded', () => {
    let most = 0;
    for (let batch = 1; batch <= 200; batch++) {
      const bounds = sliceBounds(batch);
      const n = bounds.length;
      for (let t = 1; t <= n; t++)
        for (const [lo, hi] of threadBlocks(n, t)) {
          const pieces = blockNodes(n, lo, hi).map((nd) => nodeExpr(n, nd, bounds, bounds[lo]![0]));
          const i32 = new Int32Array(MB_HEADER);
          most = Math.max(most, encodePieces(pieces, i32, MB.PIECES));
          expect(decodePieces(i32, MB.PIECES)).toEqual(pieces);
        }
    }
    expect(most).toBeLessThanOrEqual(MB_HEADER);
    expect(() => encodePieces([{ b0: 0, b1: 1 }], new Int32Array(MB_HEADER), MB_HEADER - 2)).toThrow(/do not fit/);
  });

  it('a call larger than the first mailbox: the thread gets a larger one, and 2 threads give 1 thread’s bits', () => {
    // Per thread 128 rows × 40 steps × 8 features plus the weights: over the first 65,536 floats.
    const shape: RnnShape = { cell: 'lstm', batch: 256, steps: 40, features: 8, units: 64, returnSequences: false };
    const { x, w, dy } = inputs(shape);
    const one = new WasmRnnKernel(1);
    const a = one.forward(shape, x, w, true);
    const ga = one.backward(a.tape!, dy);
    const two = new WasmRnnKernel(2);
    const slot = threadPool(defaultKernelBuild(), 2)[0]!;
    const before = slot.mail.f32.length;
    for (let r = 0; r < 2; r++) {
      const b = two.forward(shape, x, w, true);
      expect(b.output, `call ${r}`).toEqual(a.output);
      const gb = two.backward(b.tape!, dy);
      for (const g of ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const)
        expect(gb[g], `${r}: ${g}`).toEqual(ga[g]);
    }
    expect(before).toBe(65536);
    expect(slot.mail.f32.length).toBeGreaterThanOrEqual(128 * 40 * 8 + (8 + 64 + 1) * 256);
    // Freed with the layer: the thread is back to a first-size mailbox, and serves the next layer.
    two.dispose();
    expect(slot.mail.f32.length).toBe(65536);
    const again = new WasmRnnKernel(2);
    const c = again.forward(shape, x, w, true);
    expect(c.output).toEqual(a.output);
    expect(again.backward(c.tape!, dy).dRecurrentKernel).toEqual(ga.dRecurrentKernel);
    again.dispose();
    one.dispose();
  });

  it.each(['relaxed-simd', 'simd'] as const)(
    'the %s build: 3 threads give 1 thread’s bits through the mailboxes',
    (build) => {
      const shape: RnnShape = { cell: 'gru', batch: 50, steps: 7, features: 3, units: 11, returnSequences: true };
      const { x, w, dy } = inputs(shape);
      const one = new WasmRnnKernel(1, build),
        three = new WasmRnnKernel(3, build);
      const a = one.forward(shape, x, w, true),
        b = three.forward(shape, x, w, true);
      expect(b.output).toEqual(a.output);
      const ga = one.backward(a.tape!, dy),
        gb = three.backward(b.tape!, dy);
      for (const g of ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const) expect(gb[g], g).toEqual(ga[g]);
      one.dispose();
      three.dispose();
    },
  );

  it("a thread's error comes back with its text, and the thread serves the next call", () => {
    const slot = threadPool(defaultKernelBuild(), 2)[0]!;
    const m = mailbox(slot, 1024);
    // A backward for a layer this thread has never run forward.
    m.i32.set([OP_BACKWARD, 987654, 0, 0, 8, 3, 1, 4, 0, 1], MB.OP);
    encodePieces([{ b0: 0, b1: 8 }], m.i32, MB.PIECES);
    postMail(slot);
    expect(() => collectMail(slot)).toThrow(/backward\(\) without a forward\(\)/);
    // Then a forward for it (simpleRNN, 8 rows, 3 steps, 1 feature, 4 units) works.
    m.i32.set([OP_FORWARD, 987654, 0, 0, 8, 3, 1, 4, 0, 0], MB.OP);
    m.f32.fill(0.1, 0, 8 * 3 + 4 + 16 + 4);
    postMail(slot);
    const out = collectMail(slot).f32.slice(0, 8 * 4);
    expect(out.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    post(slot, { op: 'free', id: 987654 });
    collect(slot);
  });

  it('a mailbox too large to allocate is a message naming the size', () => {
    const slot = threadPool(defaultKernelBuild(), 2)[0]!;
    expect(() => mailbox(slot, 2 ** 40)).toThrow(/cannot allocate 4194304 MB to hand a batch to a worker thread/);
    expect(slot.mail.f32.length).toBeGreaterThanOrEqual(65536); // the old one stays
  });

  // Last: it leaves the pool a thread short.
  it('a thread that ends during a training loop: the call throws instead of waiting forever, the next one runs without it', () => {
    const shape: RnnShape = { cell: 'lstm', batch: 32, steps: 5, features: 2, units: 8, returnSequences: false };
    const { x, w, dy } = inputs(shape);
    const one = new WasmRnnKernel(1);
    const want = one.backward(one.forward(shape, x, w, true).tape!, dy);
    const two = new WasmRnnKernel(2);
    two.backward(two.forward(shape, x, w, true).tape!, dy);
    // The thread ends (as an error that escapes its loop would end it); no event-loop turn follows,
    // so the Worker's 'exit' event cannot tell the main thread: only the shared flag can.
    post(threadPool(defaultKernelBuild(), 2)[0]!, { op: 'exit' });
    expect(() => two.forward(shape, x, w, true)).toThrow(/a worker thread exited/);
    const got = two.backward(two.forward(shape, x, w, true).tape!, dy);
    for (const g of ['dx', 'dKernel', 'dRecurrentKernel', 'dBias'] as const) expect(got[g], g).toEqual(want[g]);
    one.dispose();
    two.dispose();
  });
});
