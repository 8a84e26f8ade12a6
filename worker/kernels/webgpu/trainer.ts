// A self-contained GPU trainer for stacked RNN layers + a dense head (MSE, Adam), all in WGSL.
//
// Why not a TF.js layer: tf.customGrad needs synchronous gradients and WebGPU readback is async, so
// the GPU path owns the whole train step instead. The epoch's data lives on the GPU, batches are
// cut there through an index list, every step of an epoch is encoded into one command buffer (per
// step uniforms via dynamic offsets), and only the per-step losses come back.
//
// Per train step: one forward dispatch per layer (whole sequence), one backward dispatch per layer
// (whole BPTT), one weight-gradient product per layer and the head, one Adam dispatch.
//
// Files: layout.ts (weight order, params layout, initial weights), pipelines.ts (compiles), buffers.ts
// (allocation, readback), passes.ts (bind groups, encoding, per-step uniforms); this file holds the
// geometry plan and the trainer's state and methods.
import { gateCount, type Cell, type RecurrentActivation } from '../types.js';
import { BufferPool, netBuffers, type NetBuffers } from './buffers.js';
import { openGpu, type GpuContext } from './device.js';
import { initialWeights, layerOffsets, packParams, splitWeights, weightShapes } from './layout.js';
import { buildPasses, encodeSteps, stepUniforms, type DataBuffers, type PassSets } from './passes.js';
import { compilePipes, type Pipes } from './pipelines.js';
import { STEP_STRIDE, type LayerGeo, type NetGeo } from './shaders.js';

export { weightShapes } from './layout.js';

export interface GpuTrainerOptions {
  cell: Cell;
  /** units per stacked layer */
  layers: number[];
  features: number;
  outputs: number;
  steps: number;
  batch: number;
  optimizer: 'adam';
  learningRate: number;
  loss: 'mse';
  /** default 'hardSigmoid', like tf.layers */
  recurrentActivation?: RecurrentActivation;
  /** seed of the initial weights (glorot-uniform kernels, zero biases, LSTM forget bias 1) */
  seed?: number;
  /** batch rows per workgroup of the recurrent kernels (default: by batch size) */
  rowsPerGroup?: number;
  /** split-K count of the weight-gradient products (default: by rows) */
  splits?: number;
  /** an already opened device (tests share one) */
  gpu?: GpuContext;
}

export interface GpuGradients {
  loss: number;
  /** same order and shapes as getWeights() */
  grads: Float32Array[];
}

export interface GpuTrainer {
  readonly adapterName: string;
  readonly implementation: 'fused-webgpu';
  /** [kernel, recurrentKernel, bias] per layer, then the head's [kernel [H, O], bias [O]]; like model.getWeights(). */
  setWeights(weights: Float32Array[]): Promise<void>;
  getWeights(): Promise<Float32Array[]>;
  /** x [N, steps, features], y [N, outputs]; stays on the GPU until the next upload. */
  uploadData(x: Float32Array, y?: Float32Array): void;
  /** One pass over `order` (sample indices, default 0..N-1) in batches; returns the mean loss (weighted by batch rows). */
  trainEpoch(order?: ArrayLike<number>): Promise<number>;
  /** Predictions [N, outputs] for the uploaded data (or for x, which replaces the uploaded data). */
  predict(x?: Float32Array): Promise<Float32Array>;
  /**
   * x [N, steps, features] kept on the GPU under `name` (a validation or test split), beside the
   * training data, until the next upload under that name.
   */
  uploadEval(name: string, x: Float32Array): void;
  /** Predictions [N, outputs] for the windows uploaded under `name`, with the current weights; the training data stays. */
  predictEval(name: string): Promise<Float32Array>;
  /** Loss and gradients of the first batch of `order` without updating anything (for tests and checks). */
  gradients(order?: ArrayLike<number>): Promise<GpuGradients>;
  dispose(): void;
}

function validate(opts: GpuTrainerOptions): void {
  if (opts.optimizer !== 'adam' || opts.loss !== 'mse')
    throw new Error('GPU trainer supports optimizer "adam" with loss "mse" only');
  if (opts.layers.length === 0) throw new Error('GPU trainer needs at least one RNN layer');
  for (const [k, v] of Object.entries({
    features: opts.features,
    outputs: opts.outputs,
    steps: opts.steps,
    batch: opts.batch,
  })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`GPU trainer: ${k} must be a positive integer, got ${v}`);
  }
}

/** Batch rows per workgroup: as many as fit the adapter's workgroup memory (at most 4, by batch size). */
function rowsPerGroup(opts: GpuTrainerOptions, layers: LayerGeo[], maxBytes: number): number {
  const shared = (l: LayerGeo, rb: number) => rb * 4 * (l.F + l.H * (gateCount(l.cell) + 3));
  let RB = opts.rowsPerGroup ?? Math.max(1, Math.min(4, Math.floor(opts.batch / 256)));
  while (RB > 1 && layers.some((l) => shared(l, RB) > maxBytes)) RB--;
  for (const l of layers) {
    if (shared(l, RB) > maxBytes)
      throw new Error(`GPU trainer: ${l.H} units need more workgroup memory than the adapter's ${maxBytes} bytes`);
  }
  return RB;
}

/** The shapes baked into the shaders, and the float count of `params` (with the transposed copies). */
export function planGeometry(opts: GpuTrainerOptions, maxWorkgroupBytes: number): { geo: NetGeo; paramFloats: number } {
  const { layers, headOff, P, paramFloats } = layerOffsets(opts);
  const T = opts.steps;
  const B = opts.batch;
  const RB = rowsPerGroup(opts, layers, maxWorkgroupBytes);
  const S = opts.splits ?? Math.max(1, Math.min(32, Math.ceil((T * B) / 128)));
  return {
    geo: { T, B, O: opts.outputs, RB, S, P, headOff, recAct: opts.recurrentActivation ?? 'hardSigmoid', layers },
    paramFloats,
  };
}

export async function createGpuTrainer(opts: GpuTrainerOptions): Promise<GpuTrainer> {
  validate(opts);
  const ctx = opts.gpu ?? (await openGpu());
  const { geo, paramFloats } = planGeometry(opts, ctx.device.limits.maxComputeWorkgroupStorageSize);
  const pipes = await compilePipes(ctx, geo);
  const trainer = new WebGpuTrainer(ctx, opts, geo, paramFloats, pipes);
  await trainer.setWeights(initialWeights(opts, opts.seed ?? 1));
  return trainer;
}

/**
 * Data-sized state: the uploaded windows, the index and step buffers that grow with the epoch, and
 * the passes bound to them. The training data has one; each evaluation split another.
 */
interface DataState {
  bufs: DataBuffers;
  nSamples: number;
  yOff: number;
  idxCap: number;
  stepCap: number;
  passes: PassSets;
}

class WebGpuTrainer implements GpuTrainer {
  readonly adapterName: string;
  readonly implementation = 'fused-webgpu' as const;
  private readonly pool: BufferPool;
  private readonly net: NetBuffers;
  private readonly shapes: number[][];
  private d: DataState | null = null;
  private readonly evals = new Map<string, DataState>();
  private adamStep = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly opts: GpuTrainerOptions,
    private readonly geo: NetGeo,
    private readonly paramFloats: number,
    private readonly pipes: Pipes,
  ) {
    this.adapterName = ctx.adapterName;
    this.pool = new BufferPool(ctx);
    this.net = netBuffers(this.pool, geo, paramFloats);
    this.shapes = weightShapes(opts);
  }

  private get device(): GPUDevice {
    return this.ctx.device;
  }

  async setWeights(weights: Float32Array[]): Promise<void> {
    const all = packParams(weights, this.shapes, this.geo, this.paramFloats);
    this.device.queue.writeBuffer(this.net.params, 0, all);
    this.device.queue.writeBuffer(this.net.moments, 0, new Float32Array(2 * this.geo.P));
    this.adamStep = 0;
  }

  async getWeights(): Promise<Float32Array[]> {
    return splitWeights(
      await this.pool.read(this.device.createCommandEncoder(), this.net.params, 0, this.geo.P),
      this.shapes,
    );
  }

  uploadData(x: Float32Array, y?: Float32Array): void {
    this.d = this.loadData(this.d, x, y);
  }

  uploadEval(name: string, x: Float32Array): void {
    this.evals.set(name, this.loadData(this.evals.get(name) ?? null, x));
  }

  /** Windows (and targets: zeros without y) into `prev`'s buffers' place, or into new ones. */
  private loadData(prev: DataState | null, x: Float32Array, y?: Float32Array): DataState {
    const { T, O, B } = this.geo;
    const per = T * this.opts.features;
    if (x.length === 0 || x.length % per !== 0)
      throw new Error(`GPU trainer: x has ${x.length} values, not a multiple of steps×features = ${per}`);
    const n = x.length / per;
    const yy = y ?? new Float32Array(n * O);
    if (yy.length !== n * O) throw new Error(`GPU trainer: y has ${yy.length} values, expected ${n}×${O} = ${n * O}`);
    prev?.bufs.data.destroy();
    prev?.bufs.pred.destroy();
    const data = this.pool.floats(
      x.length + yy.length,
      this.ctx.usage.buffer.STORAGE | this.ctx.usage.buffer.COPY_DST,
      'data',
    );
    const pred = this.pool.floats(n * O, this.pool.RW, 'pred');
    this.device.queue.writeBuffer(data, 0, x);
    this.device.queue.writeBuffer(data, x.length * 4, yy);
    const steps = Math.ceil(n / B);
    const bufs = prev
      ? { ...prev.bufs, data, pred }
      : { data, pred, ...this.stepBuffers(steps), idx: this.idxBuffer(steps * B) };
    const passes = this.bind(bufs);
    const d: DataState = prev
      ? Object.assign(prev, { nSamples: n, yOff: x.length, bufs, passes })
      : { nSamples: n, yOff: x.length, idxCap: steps * B, stepCap: steps, bufs, passes };
    this.prepareSteps(d, steps, [0]);
    return d;
  }

  private bind(bufs: DataBuffers): PassSets {
    return buildPasses(this.device, this.pipes, this.net, bufs, this.geo);
  }

  private stepBuffers(n: number): Pick<DataBuffers, 'steps' | 'lossHist'> {
    const U = this.ctx.usage.buffer;
    return {
      steps: this.pool.bytes(n * STEP_STRIDE, U.UNIFORM | U.COPY_DST, 'steps'),
      lossHist: this.pool.bytes(Math.max(16, n * 4), this.pool.RW, 'lossHist'),
    };
  }

  private idxBuffer(n: number): GPUBuffer {
    const U = this.ctx.usage.buffer;
    return this.pool.bytes(n * 4, U.STORAGE | U.COPY_DST, 'idx');
  }

  /** Room for n steps (buffers grow by doubling; passes are rebound then) and the epoch's sample order. */
  private prepareSteps(d: DataState, n: number, order: ArrayLike<number>): void {
    let grew = false;
    if (n > d.stepCap) {
      d.bufs.steps.destroy();
      d.bufs.lossHist.destroy();
      d.stepCap = Math.max(n, 2 * d.stepCap);
      Object.assign(d.bufs, this.stepBuffers(d.stepCap));
      grew = true;
    }
    const need = n * this.geo.B;
    if (need > d.idxCap) {
      d.bufs.idx.destroy();
      d.idxCap = Math.max(need, 2 * d.idxCap);
      d.bufs.idx = this.idxBuffer(d.idxCap);
      grew = true;
    }
    const idx = new Uint32Array(need);
    for (let i = 0; i < order.length; i++) {
      const s = order[i]!;
      if (!Number.isInteger(s) || s < 0 || s >= d.nSamples)
        throw new Error(`GPU trainer: sample index ${s} at position ${i} is outside 0..${d.nSamples - 1}`);
      idx[i] = s;
    }
    this.device.queue.writeBuffer(d.bufs.idx, 0, idx);
    if (grew) d.passes = this.bind(d.bufs);
  }

  private writeSteps(d: DataState, n: number, total: number, train: boolean): void {
    const block = stepUniforms(n, total, {
      B: this.geo.B,
      yOff: d.yOff,
      adamStep: this.adamStep,
      lr: this.opts.learningRate,
      train,
    });
    this.device.queue.writeBuffer(d.bufs.steps, 0, block);
  }

  private requireData(): DataState {
    if (!this.d) throw new Error('GPU trainer: call uploadData(x, y) first');
    return this.d;
  }

  async trainEpoch(order?: ArrayLike<number>): Promise<number> {
    const d = this.requireData();
    const B = this.geo.B;
    const ord = order ?? Array.from({ length: d.nSamples }, (_, i) => i);
    if (ord.length === 0) throw new Error('GPU trainer: empty epoch');
    const n = Math.ceil(ord.length / B);
    this.prepareSteps(d, n, ord);
    this.writeSteps(d, n, ord.length, true);
    const losses = await this.pool.read(encodeSteps(this.device, n, d.passes.train), d.bufs.lossHist, 0, n);
    this.adamStep += n;
    let sum = 0;
    for (let s = 0; s < n; s++) sum += losses[s]! * Math.min(B, ord.length - s * B);
    return sum / ord.length;
  }

  async predict(x?: Float32Array): Promise<Float32Array> {
    if (x) this.uploadData(x);
    return this.forward(this.requireData());
  }

  async predictEval(name: string): Promise<Float32Array> {
    const d = this.evals.get(name);
    if (!d) throw new Error(`GPU trainer: nothing uploaded under "${name}" (uploadEval first)`);
    return this.forward(d);
  }

  /** The forward passes over all of d's windows in order, B at a time; their predictions. */
  private async forward(d: DataState): Promise<Float32Array> {
    const n = Math.ceil(d.nSamples / this.geo.B);
    this.prepareSteps(
      d,
      n,
      Array.from({ length: d.nSamples }, (_, i) => i),
    );
    this.writeSteps(d, n, d.nSamples, false);
    return this.pool.read(encodeSteps(this.device, n, d.passes.forward), d.bufs.pred, 0, d.nSamples * this.geo.O);
  }

  async gradients(order?: ArrayLike<number>): Promise<GpuGradients> {
    const d = this.requireData();
    const { B, O, S, P } = this.geo;
    const ord = Array.from(order ?? Array.from({ length: Math.min(B, d.nSamples) }, (_, i) => i)).slice(0, B);
    this.prepareSteps(d, 1, ord);
    this.writeSteps(d, 1, ord.length, false);
    const part = await this.pool.read(encodeSteps(this.device, 1, d.passes.gradient), this.net.partials, 0, S * P);
    const sq = await this.pool.read(this.device.createCommandEncoder(), this.net.head, B * O, B * O);
    const g = new Float32Array(P);
    for (let s = 0; s < S; s++) for (let p = 0; p < P; p++) g[p] = g[p]! + part[s * P + p]!;
    let loss = 0;
    for (const v of sq) loss += v;
    return { loss: loss / (ord.length * O), grads: splitWeights(g, this.shapes) };
  }

  dispose(): void {
    this.pool.destroyAll();
    this.d = null;
    this.evals.clear();
    if (!this.opts.gpu) this.device.destroy();
  }
}
