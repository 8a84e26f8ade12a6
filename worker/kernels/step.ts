// The whole CPU training step without TF.js ops: the fused RNN layers (their WasmRnnKernels), then
// the dense layers, the loss gradient and the optimizer update in a step engine (src/step.c). The
// weights and the optimizer's slots live in the step engine's memory between batches; the TF.js
// model and optimizer are brought up to date on request (syncModel, syncOptimizer), with the same
// weights order and the same optimizer slot layout as TF.js, so evaluation, checkpoints, resume and
// exports see what they would after TF.js training. Where the RNN layers run in the native engine,
// so does Adam's update (native/optim.h, the same bits), over this module's memory. Without dropout
// the step is cut by batch rows across the kernels' threads (split-step.ts): each thread runs the
// whole step for its rows, and the threads meet once a batch.
//
// Covers models built as [input, (FusedRnn, Dropout?) × n, Dense × m] (dropout: dropout.ts), the losses mse, mae,
// huber (delta 1) and categorical cross-entropy on a softmax output, and the optimizers Adam,
// RMSProp (not centered) and SGD. fusedStepUnsupported() says why a model is not covered.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import { maskGradient, seededUniforms, StepMasks, type MaskUniforms } from './dropout.js';
import { FusedRnn } from './layer.js';
import { rnnSizes, type RnnShape, type RnnTape } from './types.js';
import { meanLoss, type StepLoss } from './loss-value.js';
import { nativeAdam, type NativeAdam } from './native-adam.js';
import { defaultSimdBuild, rnnWasmModule } from './wasm.js';
import { splitStepFor, type SplitStep } from './split-step.js';

export type { StepLoss } from './loss-value.js';
const LOSS_CODE: Record<StepLoss, number> = { mse: 0, mae: 1, huber: 2, crossentropy: 3 };
const ACT_CODE: Record<string, number> = { linear: 0, relu: 1, tanh: 2, softmax: 3 };

interface StepExports {
  memory: { buffer: ArrayBuffer };
  step_alloc(n: number): number;
  dense_forward(x: number, W: number, b: number, y: number, B: number, K: number, N: number, act: number): void;
  dense_backward(...a: number[]): void;
  loss_grad(kind: number, p: number, t: number, dy: number, B: number, N: number, Bt: number): void;
  adam_update(...a: number[]): void;
  rmsprop_update(...a: number[]): void;
  sgd_update(w: number, g: number, n: number, lr: number): void;
}

type Dense = TF.layers.Layer & { getConfig(): { activation?: string; useBias?: boolean } };
type DropoutConfig = { rate?: number; seed?: number; noiseShape?: unknown };

/** Splits [FusedRnn, Dropout?, …, Dense, …]: per RNN layer the Dropout after it (or null), then the rest. */
export function stack(model: TF.LayersModel): {
  rnn: FusedRnn[];
  dropout: (DropoutConfig | null)[];
  rest: TF.layers.Layer[];
} {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const rnn: FusedRnn[] = [];
  const dropout: (DropoutConfig | null)[] = [];
  let i = 0;
  while (layers[i] instanceof FusedRnn) {
    rnn.push(layers[i++] as FusedRnn);
    const d = layers[i]?.getClassName() === 'Dropout' ? (layers[i++]!.getConfig() as DropoutConfig) : null;
    dropout.push(d);
  }
  return { rnn, dropout, rest: layers.slice(i) };
}

/** Why the fused step cannot train this model with this loss and optimizer; null when it can. */
export function fusedStepUnsupported(model: TF.LayersModel, loss: StepLoss | null, opt: TF.Optimizer): string | null {
  if (!loss) return 'loss not covered';
  const { rnn, dropout, rest: dense } = stack(model);
  if (rnn.length === 0) return 'no fused RNN layers';
  if (dropout.some((d) => d && (d.noiseShape != null || !(Number(d.rate) >= 0 && Number(d.rate) < 1))))
    return 'dropout with a noise shape';
  if (!dense.every((l) => l.getClassName() === 'Dense')) return 'layers other than fused RNN, dropout and dense';
  if (dense.length === 0) return 'no output layer';
  for (const [i, l] of dense.entries()) {
    const cfg = (l as Dense).getConfig();
    const act = String(cfg.activation ?? 'linear');
    if (!(act in ACT_CODE) || (act === 'softmax') !== (i === dense.length - 1 && loss === 'crossentropy'))
      return `dense activation ${act} with loss ${loss}`;
    if (cfg.useBias === false) return 'dense layer without bias';
  }
  const cls = opt.getClassName();
  if (!['Adam', 'RMSProp', 'SGD'].includes(cls)) return `optimizer ${cls}`;
  if (cls === 'RMSProp' && (opt.getConfig() as { centered?: boolean }).centered) return 'centered RMSProp';
  return null;
}

/** The loss a model was compiled with (model/build.ts's lossFor), as the step engine names it. */
export function stepLossOf(model: TF.LayersModel): StepLoss | null {
  const l = (model as unknown as { loss: unknown }).loss;
  if (l === 'meanSquaredError') return 'mse';
  if (l === 'meanAbsoluteError') return 'mae';
  if (l === 'categoricalCrossentropy') return 'crossentropy';
  if (typeof l === 'function' && l.name === 'huberDelta1') return 'huber';
  return null;
}

let batchesTrained = 0;
/** Batches trained by fused steps in this process (tests check the switch took effect). */
export function fusedStepBatches(): number {
  return batchesTrained;
}

interface Param {
  variable: TF.LayerVariable;
  offset: number;
  size: number;
}

export class FusedTrainStep {
  private readonly ex: StepExports;
  private readonly rnn: FusedRnn[];
  /** Per RNN layer: its kernel, recurrent kernel and bias. */
  private readonly rnnParams: [Param, Param, Param][];
  /** Per RNN layer: the rate of the dropout after it (0: none). */
  private readonly rates: number[];
  /** The dropout masks of the batch in flight. */
  private readonly masks: StepMasks;
  /** Where the dropout masks' uniforms come from (tests give TF.js's to compare with trainOnBatch). */
  maskUniforms: MaskUniforms;
  private readonly dense: { layer: Dense; act: number; K: number; N: number; w: Param; b: Param }[];
  private readonly params: Param[];
  private readonly total: number;
  private readonly ptr: { w: number; g: number; s1: number; s2: number };
  private readonly kind: string;
  private readonly nativeAdam: NativeAdam | null;
  /** Where Adam's update runs: the native engine's vectors where the RNN layers run native. */
  readonly optimizerIn: 'native' | 'wasm';
  private readonly cfg: Record<string, number>;
  /** The step cut by rows across threads, one hand-off a batch (split-step.ts); null: per-layer hand-offs. */
  private readonly split: SplitStep | null;
  private iterations = 0;
  private unsynced = false;
  private acc1 = 1;
  private acc2 = 1;
  private scratch = new Map<number, number[]>();

  constructor(
    model: TF.LayersModel,
    private readonly optimizer: TF.Optimizer,
    private readonly loss: StepLoss,
  ) {
    const why = fusedStepUnsupported(model, loss, optimizer);
    if (why) throw new Error(`fused train step: ${why}`);
    const Inst = (
      globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: unknown } } }
    ).WebAssembly.Instance;
    this.ex = new Inst(rnnWasmModule(defaultSimdBuild()), {}).exports as StepExports;
    const { rnn, dropout, rest } = stack(model);
    this.rnn = rnn;
    this.rates = dropout.map((d) => (d ? Number(d.rate) : 0));
    this.maskUniforms = seededUniforms(dropout.map((d) => d?.seed ?? 0));
    this.masks = new StepMasks(this.rates);
    let offset = 0;
    this.params = model.trainableWeights.map((variable) => {
      const size = (variable.shape as number[]).reduce((a, b) => a * b, 1);
      const p = { variable, offset, size };
      offset += size;
      return p;
    });
    this.total = offset;
    const byLayer = (l: TF.layers.Layer) => this.params.filter((p) => l.trainableWeights.includes(p.variable));
    this.rnnParams = rnn.map((l) => byLayer(l) as [Param, Param, Param]);
    this.dense = rest.map((l) => {
      const [w, b] = byLayer(l) as [Param, Param];
      const act = String((l as Dense).getConfig().activation ?? 'linear');
      return { layer: l as Dense, act: ACT_CODE[act]!, K: w.variable.shape[0]!, N: w.variable.shape[1]!, w, b };
    });
    const alloc = (n: number) => {
      const p = this.ex.step_alloc(n);
      if (!p) throw new Error('fused train step: cannot grow WebAssembly memory');
      return p;
    };
    this.ptr = { w: alloc(this.total), g: alloc(this.total), s1: alloc(this.total), s2: alloc(this.total) };
    this.kind = optimizer.getClassName();
    this.nativeAdam = this.kind === 'Adam' ? nativeAdam(rnn) : null;
    this.optimizerIn = this.nativeAdam ? 'native' : 'wasm';
    this.cfg = optimizer.getConfig() as Record<string, number>;
    const contiguous = this.dense.every((d) => d.b.offset === d.w.offset + d.w.size);
    const split = contiguous ? splitStepFor({ rnn, rates: this.rates, dense: this.dense, loss: LOSS_CODE[loss], sx: this.ex, targets: {
      rnn: () => this.rnnParams.map(([k, rk, b]) => ({ dW: this.view(k, 'g'), dU: this.view(rk, 'g'), db: this.view(b, 'g') })),
      dense: () => this.dense.map((d) => this.f32(this.ptr.g + 4 * d.w.offset, d.w.size + d.b.size)),
    } }) : null; // prettier-ignore
    this.split = split?.weightCount === this.total ? split : null;
    this.loadModel();
  }

  private f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, ptr, n);
  }

  private view(p: Param, region: 'w' | 'g' | 's1' | 's2' = 'w'): Float32Array {
    return this.f32(this.ptr[region] + 4 * p.offset, p.size);
  }

  /**
   * Reads the weights from the TF.js model (after a restore or a fold's warm start). Does nothing
   * while the step holds trained weights the model has not received yet (no syncModel since).
   */
  loadModel(): void {
    if (this.unsynced) return;
    for (const p of this.params) this.view(p).set(p.variable.read().dataSync() as Float32Array);
  }

  /** Writes the weights into the TF.js model (before it evaluates, checkpoints or exports). */
  syncModel(): void {
    this.unsynced = false;
    const ts = this.params.map((p) => tf.tensor(this.view(p).slice(), p.variable.shape as number[], 'float32'));
    for (const [i, p] of this.params.entries()) p.variable.write(ts[i]!);
    tf.dispose(ts);
  }

  /** Reads the optimizer's state from the TF.js optimizer (after restoreOptimizer on resume). */
  async loadOptimizer(): Promise<void> {
    const ws = await this.optimizer.getWeights();
    const slots = this.kind === 'SGD' ? 0 : 2;
    this.iterations = ws.length ? (ws[0]!.tensor.dataSync()[0] ?? 0) : 0;
    if (slots && ws.length === 1 + slots * this.params.length) {
      const n = this.params.length;
      for (const [i, p] of this.params.entries()) {
        this.view(p, 's1').set(ws[1 + i]!.tensor.dataSync() as Float32Array);
        this.view(p, 's2').set(ws[1 + n + i]!.tensor.dataSync() as Float32Array);
      }
    }
    // TF.js keeps beta^t as a float32 product; after setWeights it is beta^(iterations + 1).
    this.acc1 = Math.fround(Math.pow(this.cfg.beta1 ?? 0.9, this.iterations));
    this.acc2 = Math.fround(Math.pow(this.cfg.beta2 ?? 0.999, this.iterations));
  }

  /** Writes the optimizer's state into the TF.js optimizer, in its slot order and names. */
  async syncOptimizer(): Promise<void> {
    const named: { name: string; tensor: TF.Tensor }[] = [
      { name: 'iter', tensor: tf.scalar(this.iterations, 'int32') },
    ];
    const slotNames = this.kind === 'Adam' ? ['m', 'v'] : this.kind === 'RMSProp' ? ['rms', 'momentum'] : [];
    for (const [k, slot] of slotNames.entries())
      for (const p of this.params)
        named.push({
          name: `${p.variable.name}/${slot}`,
          tensor: tf.tensor(this.view(p, k === 0 ? 's1' : 's2').slice(), p.variable.shape as number[], 'float32'),
        });
    await this.optimizer.setWeights(named);
  }

  private buffers(B: number): number[] {
    let b = this.scratch.get(B);
    if (!b) {
      // Per dense layer: its input [B,K], its output [B,N], the gradient of its output [B,N]; then y.
      b = [];
      for (const d of this.dense)
        b.push(this.ex.step_alloc(B * d.K), this.ex.step_alloc(B * d.N), this.ex.step_alloc(B * d.N));
      b.push(this.ex.step_alloc(B * this.dense[this.dense.length - 1]!.N), this.ex.step_alloc(B * this.dense[0]!.K));
      if (b.some((p) => !p)) throw new Error('fused train step: cannot grow WebAssembly memory');
      this.scratch.set(B, b);
    }
    return b;
  }

  /** One optimizer step on a batch: x [B, T, F], y [B, outputs]. Returns the batch's loss before the update. */
  trainBatch(x: Float32Array, y: Float32Array, B: number): number {
    let F = this.params[0]!.variable.shape[0]!;
    const T = x.length / B / F;
    if (this.split) {
      // Each thread draws its rows' masks from the default uniforms' stream; other uniforms are drawn here.
      const masks = this.rnn.map((l, i) =>
        this.masks.split(i, B * (l.returnSequences ? T : 1) * l.units, this.maskUniforms, this.iterations),
      );
      return this.finish(this.lossOf(this.split.train(x, y, B, this.ptr.w, masks), y));
    }
    const tapes: RnnTape[] = [];
    const buf = this.buffers(B);
    // The head's input: the last RNN layer writes its output straight there (a view of this
    // module's memory: no allocation, no copy), where the kernel can.
    const headIn = this.f32(buf[0]!, B * this.dense[0]!.K);
    let h = x;
    for (const [i, l] of this.rnn.entries()) {
      const [k, rk, b] = this.rnnParams[i]!;
      const shape: RnnShape = {
        cell: l.cell,
        batch: B,
        steps: T,
        features: F,
        units: l.units,
        returnSequences: l.returnSequences,
        recurrentActivation: l.recurrentActivation,
      };
      const lastLayer = tapes.length === this.rnn.length - 1;
      const into = lastLayer && rnnSizes(shape).output === headIn.length ? headIn : undefined;
      // Views of this memory: the kernel copies the weights into its engines and its threads'
      // mailboxes during the call, and keeps no reference to them.
      const res = l
        .rnnKernel()
        .forward(shape, h, { kernel: this.view(k), recurrentKernel: this.view(rk), bias: this.view(b) }, true, into);
      tapes.push(res.tape!);
      h = res.output;
      F = l.units;
      this.dropout(tapes.length - 1, h);
    }
    const ex = this.ex;
    const last = this.dense.length - 1;
    const N = this.dense[last]!.N;
    if (h !== headIn) this.f32(buf[0]!, h.length).set(h);
    for (const [j, d] of this.dense.entries()) {
      if (j > 0) this.f32(buf[3 * j]!, B * d.K).set(this.f32(buf[3 * j - 2]!, B * d.K));
      ex.dense_forward(
        buf[3 * j]!,
        this.ptr.w + 4 * d.w.offset,
        this.ptr.w + 4 * d.b.offset,
        buf[3 * j + 1]!,
        B,
        d.K,
        d.N,
        d.act,
      );
    }
    const yPtr = buf[3 * this.dense.length]!;
    this.f32(yPtr, B * N).set(y);
    const loss = this.lossOf(this.f32(buf[3 * last + 1]!, B * N), y);
    ex.loss_grad(LOSS_CODE[this.loss], buf[3 * last + 1]!, yPtr, buf[3 * last + 2]!, B, N, B);
    for (let j = last; j >= 0; j--) {
      const d = this.dense[j]!;
      const dx = j > 0 ? buf[3 * (j - 1) + 2]! : buf[3 * this.dense.length + 1]!;
      ex.dense_backward(
        buf[3 * j]!,
        this.ptr.w + 4 * d.w.offset,
        buf[3 * j + 1]!,
        buf[3 * j + 2]!,
        dx,
        this.ptr.g + 4 * d.w.offset,
        this.ptr.g + 4 * d.b.offset,
        B,
        d.K,
        d.N,
        d.act,
      );
    }
    // A view, not a copy (an allocation per batch): the kernel reads dy during backward() only, and
    // nothing writes this buffer before the next batch.
    let dy: Float32Array = this.f32(buf[3 * this.dense.length + 1]!, B * this.dense[0]!.K);
    for (let i = this.rnn.length - 1; i >= 0; i--) {
      const l = this.rnn[i]!;
      const [k, rk, b] = this.rnnParams[i]!;
      const m = this.masks.inFlight(i);
      if (m) maskGradient(dy, m);
      // The first layer's input is the batch itself: nothing reads its gradient.
      // The weight gradients go straight into this module's gradient memory, where the kernel can.
      const to = { dKernel: this.view(k, 'g'), dRecurrentKernel: this.view(rk, 'g'), dBias: this.view(b, 'g') };
      const g = l.rnnKernel().backward(tapes[i]!, dy, { dx: i > 0, grads: to });
      if (g.dKernel !== to.dKernel) to.dKernel.set(g.dKernel);
      if (g.dRecurrentKernel !== to.dRecurrentKernel) to.dRecurrentKernel.set(g.dRecurrentKernel);
      if (g.dBias !== to.dBias) to.dBias.set(g.dBias);
      dy = g.dx;
    }
    return this.finish(loss);
  }

  /** After the gradients: the optimizer's update. */
  private finish(loss: number): number {
    this.update();
    this.unsynced = true;
    batchesTrained++;
    return loss;
  }

  /** Frees the step's engines on the kernel threads (the layers' own go with the model). */
  dispose(): void {
    this.split?.dispose();
  }

  /** Dropout after RNN layer i, in place on its output h (training only: the TF.js model evaluates without it). */
  private dropout(i: number, h: Float32Array): void {
    const m = this.masks.whole(i, h.length, this.maskUniforms, this.iterations);
    if (m) maskGradient(h, m);
  }

  private lossOf(p: Float32Array, t: Float32Array): number {
    return meanLoss(this.loss, p, t, this.dense[this.dense.length - 1]!.N);
  }

  private update(): void {
    const c = this.cfg,
      P = this.ptr,
      n = this.total;
    const eps = c.epsilon ?? 1e-7;
    if (this.kind === 'Adam') {
      const b1 = c.beta1 ?? 0.9,
        b2 = c.beta2 ?? 0.999;
      this.acc1 = Math.fround(this.acc1 * Math.fround(b1));
      this.acc2 = Math.fround(this.acc2 * Math.fround(b2));
      const [lr, c1, c2] = [c.learningRate!, 1 - this.acc1, 1 - this.acc2];
      const na = this.nativeAdam;
      if (na) na.addon.adam(na.engine, this.ex.memory.buffer, P.w, P.g, P.s1, P.s2, n, lr, b1, b2, eps, c1, c2);
      else this.ex.adam_update(P.w, P.g, P.s1, P.s2, n, lr, b1, b2, eps, c1, c2);
    } else if (this.kind === 'RMSProp') {
      this.ex.rmsprop_update(P.w, P.g, P.s1, P.s2, n, c.learningRate!, c.decay ?? 0.9, c.momentum ?? 0, eps);
    } else {
      this.ex.sgd_update(P.w, P.g, n, c.learningRate!);
    }
    this.iterations++;
  }
}
