// The fused training step cut by batch rows across threads, with one hand-off per batch: each
// thread runs the whole step for its rows (rows-src.ts) and the main thread adds up the weight
// gradients of all of them, the RNN layers' in its engines' accumulators (engine-src.ts 'gather'),
// the dense layers' in its step engine, up the fixed tree of slices.ts. The thread count is chosen
// by measurement on whole batches (thread-choice.ts), once for all the layers.
//
// Before, each RNN layer's forward and backward was a hand-off of its own (wasm.ts): at
// SimpleRNN 64, batch 64, two threads, 28 µs of a 261 µs batch went to the waits, the mailboxes,
// the dense layers and the gather around the engines, twice per layer.
import { coreShare } from './core-share.js';
import { refreshSpin } from './handoff.js';
import type { FusedRnn } from './layer.js';
import { CELL_CODE, encodePieces, MB, OP_STEP } from './mailbox.js';
import { keepOf, type SplitMask } from './dropout.js';
import { cachedPlan, type Part, type Plan } from './plan.js';
import { collectMail, envThreads, freeEngine, mailbox, maxThreadCount, postMail } from './pool.js';
import { ROWS_JS, STEP_HEADER_AT } from './rows-src.js';
import { sliceCount, type GradExpr, type TopExpr } from './slices.js';
import { ThreadChoice } from './thread-choice.js';
import { reportThreadChoice, WasmRnnKernel, type KernelHandle } from './wasm.js';
import type { ThreadSlot } from './pool.js';

/** What a step engine (src/step.c) exports that a thread's rows use. */
export interface RowsExports {
  memory: { buffer: ArrayBuffer };
  step_alloc(n: number): number;
  dense_forward(...a: number[]): void;
  dense_backward(...a: number[]): void;
  loss_grad(...a: number[]): void;
}

/**
 * The split step for a fused step's model, or null where it does not apply: kernels other than
 * WasmRnnKernel or of different builds, stacks whose last RNN layer returns sequences, more layers
 * than a mailbox header describes, or RNN_STEP_SPLIT=0 (each layer's kernel then hands off its own
 * calls). Each thread draws and applies its rows' dropout masks (train's `masks`).
 */
export function splitStepFor(o: {
  rnn: FusedRnn[];
  rates: number[];
  dense: { K: number; N: number; act: number }[];
  loss: number;
  sx: RowsExports;
  targets: GradTargets;
}): SplitStep | null {
  if (process.env.RNN_STEP_SPLIT === '0') return null;
  const kernels = o.rnn.map((l) => l.rnnKernel());
  if (!kernels.every((k): k is WasmRnnKernel => k instanceof WasmRnnKernel)) return null;
  const handles = kernels.map((k) => k.handle());
  if (handles.some((h) => h.build !== handles[0]!.build)) return null;
  if (!o.rnn.every((l, i) => l.returnSequences === i < o.rnn.length - 1)) return null;
  if (!splitFits(o.rnn.length, o.dense.length)) return null;
  const F = (o.rnn[0]!.trainableWeights[0]!.shape as number[])[0]!;
  const layers = o.rnn.map((l, i) => ({
    id: handles[i]!.id,
    cell: CELL_CODE[l.cell],
    act: l.recurrentActivation === 'sigmoid' ? 1 : 0,
    H: l.units,
    retSeq: l.returnSequences,
    keep: o.rates[i]! > 0 ? keepOf(o.rates[i]!) : 0,
  }));
  const label = o.rnn.map((l) => `${l.cell} ${l.units} units`).join(', ');
  return new SplitStep(o.sx, handles, { F, loss: o.loss, layers, dense: o.dense }, o.targets, label);
}

/** A step as rows-src.ts describes it (codes: mailbox.ts CELL_CODE, actCode; step.ts LOSS_CODE, ACT_CODE). */
export interface StepSpecBase {
  T: number;
  F: number;
  Bt: number;
  loss: number;
  /** keep: the dropout after the layer's keep threshold, float32(1 - rate); 0: none. */
  layers: { id: number; cell: number; act: number; H: number; retSeq: boolean; keep: number }[];
  dense: { K: number; N: number; act: number }[];
}
interface StepSpec extends StepSpecBase {
  N: number;
  nW: number;
}
interface Layout {
  p: number;
  layers: { at: number; nG: number }[];
  dense: { at: number; nG: number }[];
  total: number;
}
interface Rows {
  run(a: object): void;
  gatherDense(s: StepSpec, R: number, top: TopExpr, exts: Float32Array[][][], out: Float32Array[]): void;
}
const api = new Function(
  `${ROWS_JS}; return { completeSpec, writeStepHeader, writeMaskCall, rowsInputs, rowsLayout, createRows, drawMask };`,
)() as {
  writeMaskCall(i32: Int32Array, s: StepSpec, b0: number, starts: (number | null)[] | null): void;
  drawMask(mask: Float32Array, start: number, keep: number, from: number): void;
  rowsInputs(s: StepSpec, R: number): { x: number; y: number; w: number; masks: (number | null)[]; total: number };
  completeSpec(s: StepSpecBase): StepSpec;
  writeStepHeader(i32: Int32Array, s: StepSpec): void;
  rowsLayout(s: StepSpec, R: number, pieces: number): Layout;
  createRows(sx: RowsExports): Rows;
};

/** Whether a step's description and a call's masks fit a mailbox header (7 ints per RNN layer, 3 per dense layer). */
export function splitFits(layers: number, dense: number): boolean {
  return STEP_HEADER_AT + 6 + 7 * layers + 3 * dense <= 256;
}

/** Per layer, where its weight gradients go (views of the step engine's gradient memory). */
export interface GradTargets {
  rnn: () => { dW: Float32Array; dU: Float32Array; db: Float32Array }[];
  dense: () => Float32Array[];
}

let nextStepId = -1; // negative: never a layer's id (wasm.ts counts those up from 1)

export class SplitStep {
  private readonly id = nextStepId--;
  private readonly rows: Rows;
  private readonly spec: StepSpec;
  private readonly choice: ThreadChoice;
  private readonly plans = new Map<number, Plan>();
  private readonly used = new Set<ThreadSlot>();
  private preds = new Float32Array(0);

  constructor(
    private readonly sx: RowsExports,
    private readonly kernels: KernelHandle[],
    base: Omit<StepSpecBase, 'Bt' | 'T'>,
    private readonly targets: GradTargets,
    /** The RNN layers as the run log names them, e.g. "lstm 8 units, lstm 8 units". */
    label: string,
  ) {
    this.rows = api.createRows(sx);
    this.spec = api.completeSpec({ ...base, Bt: 0, T: 0 });
    this.choice = new ThreadChoice(kernels[0]!.fixed ?? envThreads(), (r) => {
      for (const k of kernels) k.adopt(r);
      reportThreadChoice({ ...r, layer: `the training step (${label}, dense layers; one hand-off a batch)` });
    });
  }

  /** The weights' count: the step engine's weight memory must hold them in this order. */
  get weightCount(): number {
    return this.spec.nW;
  }

  private plan(B: number): { plan: Plan; timed: boolean } {
    const fixed = this.kernels[0]!.fixed;
    const allowed = Math.min(sliceCount(B), fixed ?? Math.min(maxThreadCount(), coreShare()));
    const { threads: want, timed } = this.choice.pick(B, allowed, true);
    const plan = cachedPlan(this.plans, this.kernels[0]!.build, B, want);
    return { plan, timed: timed && plan.parts.length === want };
  }

  /**
   * One batch's forward and backward: x [B, T, F], y [B, N], the weights at wPtr in the step
   * engine's memory. Writes the weight gradients into the targets; returns the predictions [B, N]
   * (valid until the next call).
   */
  train(x: Float32Array, y: Float32Array, B: number, wPtr: number, masks: (SplitMask | null)[]): Float32Array {
    const { F, N } = this.spec;
    const T = x.length / B / F;
    const s = this.spec;
    s.Bt = B;
    s.T = T;
    const { plan, timed } = this.plan(B);
    const t0 = performance.now();
    if (this.preds.length !== B * N) this.preds = new Float32Array(B * N);
    const [p0, ...others] = plan.parts as [Part, ...Part[]];
    if (others.length) refreshSpin();
    const weights = new Float32Array(this.sx.memory.buffer, wPtr, s.nW);
    // The threads draw their rows' masks where the caller gave stream starts; else the caller drew them.
    const starts = masks.every((m) => !m || m.start !== null) ? masks.map((m) => m?.start ?? null) : null;
    let firstError: unknown = null;
    const posted: { p: Part; lay: Layout }[] = [];
    for (const p of others) {
      try {
        const R = p.b1 - p.b0;
        const lay = api.rowsLayout(s, R, p.pieces.length);
        const inp = api.rowsInputs(s, R);
        const m = mailbox(p.slot!, Math.max(inp.total, lay.total));
        for (const k of this.kernels) k.useSlot(p.slot!);
        this.used.add(p.slot!);
        const i32 = m.i32;
        i32[MB.OP] = OP_STEP;
        i32[MB.ID] = this.id;
        i32[MB.B] = R;
        i32[MB.T] = T;
        i32[MB.F] = F;
        if (encodePieces(p.pieces, i32, MB.PIECES) > STEP_HEADER_AT)
          throw new Error('fused train step: gradient pieces overlap the step header');
        api.writeStepHeader(i32, s);
        api.writeMaskCall(i32, s, p.b0, starts);
        m.f32.set(x.subarray(p.b0 * T * F, p.b1 * T * F), inp.x);
        m.f32.set(y.subarray(p.b0 * N, p.b1 * N), inp.y);
        m.f32.set(weights, inp.w);
        masks.forEach((mask, i) => {
          const n = mask ? mask.mask.length / B : 0;
          if (mask && !starts) m.f32.set(mask.mask.subarray(p.b0 * n, p.b1 * n), inp.masks[i]!);
        });
        postMail(p.slot!);
        posted.push({ p, lay });
      } catch (e) {
        firstError ??= e;
      }
    }
    const R0 = p0.b1;
    const ownMasks = masks.map((m, i) => {
      if (!m) return null;
      const own = m.mask.subarray(0, (R0 * m.mask.length) / B);
      if (starts) api.drawMask(own, m.start!, s.layers[i]!.keep, 0);
      return own;
    });
    try {
      if (!firstError)
        this.rows.run({
          s,
          engines: this.kernels.map((k) => k.engine),
          R: R0,
          x: x.subarray(0, R0 * T * F),
          y: y.subarray(0, R0 * N),
          wPtr,
          masks: ownMasks,
          pieces: p0.pieces,
          depths: plan.depths,
          p: this.preds.subarray(0, R0 * N),
        });
    } catch (e) {
      firstError = e;
    }
    // exts[layer][part][piece]: the RNN layers' first, then the dense layers'.
    const L = s.layers.length;
    const exts: Float32Array[][][] = Array.from({ length: L + s.dense.length }, () => [[]]);
    for (const { p, lay } of posted) {
      try {
        const m = collectMail(p.slot!);
        const R = p.b1 - p.b0;
        this.preds.set(m.f32.subarray(lay.p, lay.p + R * N), p.b0 * N);
        const cut = (at: number, nG: number) =>
          p.pieces.map((_: GradExpr, k) => m.f32.subarray(at + k * nG, at + (k + 1) * nG));
        lay.layers.forEach((l, i) => exts[i]!.push(cut(l.at, l.nG)));
        lay.dense.forEach((d, j) => exts[L + j]!.push(cut(d.at, d.nG)));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    const rnn = this.targets.rnn();
    this.kernels.forEach((k, i) => k.engine.run('gather', { top: plan.top, exts: exts[i]!, first: rnn[i] }));
    this.rows.gatherDense(s, R0, plan.top, exts.slice(L), this.targets.dense());
    if (timed) this.choice.record(plan.parts.length, performance.now() - t0);
    return this.preds;
  }

  /** Frees this step's engines on the threads (the layers' engines go with their kernels). */
  dispose(): void {
    for (const slot of this.used) freeEngine(slot, this.id);
    this.used.clear();
  }
}
