// A self-contained GPU trainer for stacked RNN layers + a dense head (MSE, Adam), all in WGSL.
//
// Why not a TF.js layer: tf.customGrad needs synchronous gradients and WebGPU readback is async, so
// the GPU path owns the whole train step instead. The epoch's data lives on the GPU, batches are
// cut there through an index list, every step of an epoch is encoded into one command buffer (per
// step uniforms via dynamic offsets), and only the per-step losses come back.
//
// Per train step: one forward dispatch per layer (whole sequence), one backward dispatch per layer
// (whole BPTT), one weight-gradient product per layer and the head, one Adam dispatch.
import { gateCount, type Cell, type RecurrentActivation } from '../types.js';
import { openGpu, type GpuContext } from './device.js';
import {
  adamShader,
  ATB_TILE,
  backwardShader,
  forwardShader,
  STEP_STRIDE,
  weightGradShader,
  type LayerGeo,
  type NetGeo,
} from './shaders.js';

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
  /** Loss and gradients of the first batch of `order` without updating anything (for tests and checks). */
  gradients(order?: ArrayLike<number>): Promise<GpuGradients>;
  dispose(): void;
}

/** Row-major float counts of the weights in getWeights() order. */
export function weightShapes(o: Pick<GpuTrainerOptions, 'cell' | 'layers' | 'features' | 'outputs'>): number[][] {
  const g = gateCount(o.cell);
  const shapes: number[][] = [];
  let f = o.features;
  for (const h of o.layers) {
    shapes.push([f, g * h], [h, g * h], [g * h]);
    f = h;
  }
  shapes.push([f, o.outputs], [o.outputs]);
  return shapes;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function initialWeights(o: GpuTrainerOptions): Float32Array[] {
  const rand = mulberry32(o.seed ?? 1);
  return weightShapes(o).map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    if (shape.length === 2) {
      const lim = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let k = 0; k < n; k++) w[k] = (rand() * 2 - 1) * lim;
    } else if (o.cell === 'lstm' && i % 3 === 2 && i < o.layers.length * 3) {
      const h = n / 4;
      w.fill(1, h, 2 * h); // unitForgetBias, tf.layers' LSTM default
    }
    return w;
  });
}

export async function createGpuTrainer(opts: GpuTrainerOptions): Promise<GpuTrainer> {
  if (opts.optimizer !== 'adam' || opts.loss !== 'mse') throw new Error('GPU trainer supports optimizer "adam" with loss "mse" only');
  if (opts.layers.length === 0) throw new Error('GPU trainer needs at least one RNN layer');
  for (const [k, v] of Object.entries({ features: opts.features, outputs: opts.outputs, steps: opts.steps, batch: opts.batch })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`GPU trainer: ${k} must be a positive integer, got ${v}`);
  }
  const ctx = opts.gpu ?? (await openGpu());
  const { device } = ctx;
  const U = ctx.usage.buffer;
  const T = opts.steps;
  const B = opts.batch;
  const O = opts.outputs;
  const limits = device.limits;

  // Geometry: parameter offsets, then the transposed copies after all trainable floats.
  const layers: LayerGeo[] = [];
  let off = 0;
  let f = opts.features;
  opts.layers.forEach((h, i) => {
    if (!Number.isInteger(h) || h < 1) throw new Error(`GPU trainer: layer ${i} units must be a positive integer, got ${h}`);
    layers.push({ cell: opts.cell, F: f, H: h, off, tOff: 0, first: i === 0, last: i === opts.layers.length - 1 });
    off += (f + h + 1) * gateCount(opts.cell) * h;
    f = h;
  });
  const headOff = off;
  const P = off + (f + 1) * O;
  let tOff = P;
  for (const l of layers) {
    l.tOff = tOff;
    tOff += (l.F + l.H) * gateCount(l.cell) * l.H;
  }
  const paramFloats = tOff;
  const shared = (l: LayerGeo, rb: number) => rb * 4 * (l.F + l.H * (gateCount(l.cell) + 3));
  let RB = opts.rowsPerGroup ?? Math.max(1, Math.min(4, Math.floor(B / 256)));
  while (RB > 1 && layers.some((l) => shared(l, RB) > limits.maxComputeWorkgroupStorageSize)) RB--;
  for (const l of layers) {
    if (shared(l, RB) > limits.maxComputeWorkgroupStorageSize) {
      throw new Error(`GPU trainer: ${l.H} units need more workgroup memory than the adapter's ${limits.maxComputeWorkgroupStorageSize} bytes`);
    }
  }
  const S = opts.splits ?? Math.max(1, Math.min(32, Math.ceil((T * B) / 128)));
  const geo: NetGeo = { T, B, O, RB, S, P, headOff, recAct: opts.recurrentActivation ?? 'hardSigmoid', layers };

  // Buffers.
  const owned: GPUBuffer[] = [];
  const buf = (floats: number, usage: number, label: string): GPUBuffer => {
    const b = device.createBuffer({ label, size: Math.max(16, Math.ceil((floats * 4) / 16) * 16), usage });
    owned.push(b);
    return b;
  };
  const RW = U.STORAGE | U.COPY_SRC | U.COPY_DST;
  const params = buf(paramFloats, RW, 'params');
  const moments = buf(2 * P, RW, 'moments');
  const partials = buf(S * P, RW, 'partials');
  const head = buf(2 * B * O, RW, 'head');
  const dummyRead = buf(4, RW, 'dummyRead');
  const dummyWrite = buf(4, RW, 'dummyWrite');
  const perLayer = layers.map((l, i) => {
    const GH = gateCount(l.cell) * l.H;
    return {
      hseq: buf(T * B * l.H, RW, `hseq${i}`),
      state: buf(l.cell === 'simpleRNN' ? 1 : T * B * (GH + (l.cell === 'lstm' ? l.H : 0)), RW, `state${i}`),
      dgates: buf(T * B * GH, RW, `dgates${i}`),
      // gradient flowing into this layer's output sequence from the layer above
      dh: l.last ? null : buf(T * B * l.H, RW, `dh${i}`),
    };
  });
  // Data-sized buffers, (re)made by uploadData and trainEpoch.
  let data: GPUBuffer | null = null;
  let pred: GPUBuffer | null = null;
  let nSamples = 0;
  let yOff = 0;
  let idxBuf: GPUBuffer | null = null;
  let idxCap = 0;
  let stepBuf: GPUBuffer | null = null;
  let lossHist: GPUBuffer | null = null;
  let stepCap = 0;
  let readback: GPUBuffer | null = null;
  let readCap = 0;

  // Pipelines with explicit layouts (binding 0: per-step uniform with a dynamic offset).
  // Compiled concurrently (createComputePipelineAsync): Dawn spreads the driver compiles over threads.
  const pipeline = async (code: string, label: string, kinds: ('read' | 'rw')[]) => {
    const layout = device.createBindGroupLayout({
      label,
      entries: [
        { binding: 0, visibility: ctx.usage.stage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 32 } },
        ...kinds.map((k, i) => ({
          binding: i + 1,
          visibility: ctx.usage.stage.COMPUTE,
          buffer: { type: k === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
        })),
      ],
    });
    const module = device.createShaderModule({ label, code });
    try {
      const p = await device.createComputePipelineAsync({
        label,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      return { p, layout };
    } catch (e) {
      const info = await module.getCompilationInfo();
      const msgs = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
      throw new Error(`GPU trainer: pipeline ${label} failed: ${(e as Error).message}${msgs ? ` (${msgs})` : ''}`);
    }
  };
  const storageKinds = (n: number, rw: number[]) => Array.from({ length: n }, (_, i) => (rw.includes(i) ? 'rw' : 'read') as 'read' | 'rw');
  const [fwd, bwd, wgrad, [hgrad, adam]] = await Promise.all([
    Promise.all(layers.map((l, i) => pipeline(forwardShader(l, geo), `fwd${i}`, storageKinds(8, [4, 5, 6, 7])))),
    Promise.all(layers.map((l, i) => pipeline(backwardShader(l, geo), `bwd${i}`, storageKinds(7, [4, 5])))),
    Promise.all(layers.map((l, i) => pipeline(weightGradShader(l, geo), `wgrad${i}`, storageKinds(7, [6])))),
    Promise.all([
      pipeline(weightGradShader('head', geo), 'wgradHead', storageKinds(7, [6])),
      pipeline(adamShader(geo), 'adam', storageKinds(5, [0, 2, 4])),
    ]),
  ]);

  interface Pass {
    p: GPUComputePipeline;
    bg: GPUBindGroup;
    groups: [number, number, number];
  }
  let trainPasses: Pass[] = [];
  let forwardPasses: Pass[] = [];

  const bindGroups = () => {
    if (!data || !pred || !idxBuf || !stepBuf || !lossHist) return;
    const bg = (pl: { layout: GPUBindGroupLayout }, bufs: GPUBuffer[]) =>
      device.createBindGroup({
        layout: pl.layout,
        entries: [
          { binding: 0, resource: { buffer: stepBuf!, offset: 0, size: 32 } },
          ...bufs.map((b, i) => ({ binding: i + 1, resource: { buffer: b } })),
        ],
      });
    const rec = Math.ceil(B / RB);
    const fwdP: Pass[] = layers.map((_, i) => ({
      p: fwd[i]!.p,
      bg: bg(fwd[i]!, [params, data!, idxBuf!, i === 0 ? dummyRead : perLayer[i - 1]!.hseq, perLayer[i]!.hseq, perLayer[i]!.state, head, pred!]),
      groups: [rec, 1, 1],
    }));
    const bwdP: Pass[] = layers
      .map((l, i) => ({
        p: bwd[i]!.p,
        bg: bg(bwd[i]!, [
          params,
          perLayer[i]!.hseq,
          perLayer[i]!.state,
          l.last ? dummyRead : perLayer[i]!.dh!,
          perLayer[i]!.dgates,
          i === 0 ? dummyWrite : perLayer[i - 1]!.dh!,
          head,
        ]),
        groups: [rec, 1, 1] as [number, number, number],
      }))
      .reverse();
    const gradP: Pass[] = layers.map((l, i) => ({
      p: wgrad[i]!.p,
      bg: bg(wgrad[i]!, [data!, idxBuf!, i === 0 ? dummyRead : perLayer[i - 1]!.hseq, perLayer[i]!.hseq, perLayer[i]!.state, perLayer[i]!.dgates, partials]),
      groups: [Math.ceil((gateCount(l.cell) * l.H) / ATB_TILE), Math.ceil((l.F + l.H + 1) / ATB_TILE), S],
    }));
    const top = layers[layers.length - 1]!;
    gradP.push({
      p: hgrad.p,
      bg: bg(hgrad, [data!, idxBuf!, dummyRead, perLayer[layers.length - 1]!.hseq, dummyRead, head, partials]),
      groups: [Math.ceil(O / ATB_TILE), Math.ceil((top.H + 1) / ATB_TILE), S],
    });
    const adamP: Pass = {
      p: adam.p,
      bg: bg(adam, [params, partials, moments, head, lossHist!]),
      groups: [Math.ceil(P / 256), 1, 1],
    };
    forwardPasses = fwdP;
    gradientPasses = [...fwdP, ...bwdP, ...gradP];
    trainPasses = [...gradientPasses, adamP];
  };
  let gradientPasses: Pass[] = [];

  const ensureSteps = (n: number, order: ArrayLike<number>) => {
    let grew = false;
    if (n > stepCap || !stepBuf || !lossHist) {
      grew = true;
      stepBuf?.destroy();
      lossHist?.destroy();
      stepCap = Math.max(n, 2 * stepCap);
      stepBuf = device.createBuffer({ label: 'steps', size: stepCap * STEP_STRIDE, usage: U.UNIFORM | U.COPY_DST });
      lossHist = device.createBuffer({ label: 'lossHist', size: Math.max(16, stepCap * 4), usage: RW });
      owned.push(stepBuf, lossHist);
    }
    const need = n * B;
    if (need > idxCap || !idxBuf) {
      idxBuf?.destroy();
      idxCap = Math.max(need, 2 * idxCap);
      idxBuf = device.createBuffer({ label: 'idx', size: idxCap * 4, usage: U.STORAGE | U.COPY_DST });
      owned.push(idxBuf);
      grew = true;
    }
    const idx = new Uint32Array(need);
    for (let i = 0; i < order.length; i++) {
      const s = order[i]!;
      if (!Number.isInteger(s) || s < 0 || s >= nSamples) throw new Error(`GPU trainer: sample index ${s} at position ${i} is outside 0..${nSamples - 1}`);
      idx[i] = s;
    }
    device.queue.writeBuffer(idxBuf!, 0, idx);
    if (grew) bindGroups();
  };

  let adamStep = 0;
  const writeSteps = (n: number, total: number, train: boolean) => {
    const block = new ArrayBuffer(n * STEP_STRIDE);
    for (let s = 0; s < n; s++) {
      const u = new Uint32Array(block, s * STEP_STRIDE, 4);
      const fl = new Float32Array(block, s * STEP_STRIDE + 16, 4);
      u[0] = s * B;
      u[1] = Math.min(B, total - s * B);
      u[2] = s;
      u[3] = yOff;
      const t = adamStep + s + 1;
      fl[0] = opts.learningRate;
      fl[1] = train ? 1 - Math.pow(0.9, t) : 1;
      fl[2] = train ? 1 - Math.pow(0.999, t) : 1;
    }
    device.queue.writeBuffer(stepBuf!, 0, block);
  };

  const encode = (n: number, passes: Pass[]) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let s = 0; s < n; s++) {
      for (const ps of passes) {
        pass.setPipeline(ps.p);
        pass.setBindGroup(0, ps.bg, [s * STEP_STRIDE]);
        pass.dispatchWorkgroups(...ps.groups);
      }
    }
    pass.end();
    return enc;
  };

  const read = async (enc: GPUCommandEncoder, src: GPUBuffer, srcOff: number, floats: number): Promise<Float32Array> => {
    const bytes = Math.ceil((floats * 4) / 4) * 4;
    if (!readback || bytes > readCap) {
      readback?.destroy();
      readCap = Math.max(bytes, 2 * readCap, 256);
      readback = device.createBuffer({ label: 'readback', size: readCap, usage: U.MAP_READ | U.COPY_DST });
      owned.push(readback);
    }
    enc.copyBufferToBuffer(src, srcOff * 4, readback, 0, bytes);
    device.pushErrorScope('validation');
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new Error(`GPU trainer: ${err.message}`);
    await readback.mapAsync(ctx.usage.map.READ, 0, bytes);
    const out = new Float32Array(readback.getMappedRange(0, bytes).slice(0));
    readback.unmap();
    return out;
  };

  const splitWeights = (flat: Float32Array): Float32Array[] => {
    const out: Float32Array[] = [];
    let o = 0;
    for (const shape of weightShapes(opts)) {
      const n = shape.reduce((a, b) => a * b, 1);
      out.push(flat.slice(o, o + n));
      o += n;
    }
    return out;
  };

  const requireData = (): void => {
    if (!data || !pred) throw new Error('GPU trainer: call uploadData(x, y) first');
  };

  const trainer: GpuTrainer = {
    adapterName: ctx.adapterName,
    implementation: 'fused-webgpu',

    async setWeights(weights) {
      const shapes = weightShapes(opts);
      if (weights.length !== shapes.length) throw new Error(`GPU trainer: expected ${shapes.length} weight arrays, got ${weights.length}`);
      const all = new Float32Array(paramFloats);
      let o = 0;
      weights.forEach((w, i) => {
        const n = shapes[i]!.reduce((a, b) => a * b, 1);
        if (w.length !== n) throw new Error(`GPU trainer: weight ${i} has ${w.length} values, expected ${n} (shape [${shapes[i]!.join(', ')}])`);
        all.set(w, o);
        o += n;
      });
      for (const l of layers) {
        const N = gateCount(l.cell) * l.H;
        for (let m = 0; m < l.F + l.H; m++) for (let n = 0; n < N; n++) all[l.tOff + n * (l.F + l.H) + m] = all[l.off + m * N + n]!;
      }
      device.queue.writeBuffer(params, 0, all);
      device.queue.writeBuffer(moments, 0, new Float32Array(2 * P));
      adamStep = 0;
    },

    async getWeights() {
      return splitWeights(await read(device.createCommandEncoder(), params, 0, P));
    },

    uploadData(x, y) {
      const per = T * opts.features;
      if (x.length === 0 || x.length % per !== 0) {
        throw new Error(`GPU trainer: x has ${x.length} values, not a multiple of steps×features = ${per}`);
      }
      const n = x.length / per;
      const yy = y ?? new Float32Array(n * O);
      if (yy.length !== n * O) throw new Error(`GPU trainer: y has ${yy.length} values, expected ${n}×${O} = ${n * O}`);
      data?.destroy();
      pred?.destroy();
      nSamples = n;
      yOff = x.length;
      data = buf(x.length + yy.length, U.STORAGE | U.COPY_DST, 'data');
      pred = buf(n * O, RW, 'pred');
      device.queue.writeBuffer(data, 0, x);
      device.queue.writeBuffer(data, x.length * 4, yy);
      ensureSteps(Math.ceil(n / B), [0]);
      bindGroups();
    },

    async trainEpoch(order) {
      requireData();
      const ord = order ?? Array.from({ length: nSamples }, (_, i) => i);
      if (ord.length === 0) throw new Error('GPU trainer: empty epoch');
      const n = Math.ceil(ord.length / B);
      ensureSteps(n, ord);
      writeSteps(n, ord.length, true);
      const losses = await read(encode(n, trainPasses), lossHist!, 0, n);
      adamStep += n;
      let sum = 0;
      for (let s = 0; s < n; s++) sum += losses[s]! * Math.min(B, ord.length - s * B);
      return sum / ord.length;
    },

    async predict(x) {
      if (x) this.uploadData(x);
      requireData();
      const ord = Array.from({ length: nSamples }, (_, i) => i);
      const n = Math.ceil(nSamples / B);
      ensureSteps(n, ord);
      writeSteps(n, nSamples, false);
      return read(encode(n, forwardPasses), pred!, 0, nSamples * O);
    },

    async gradients(order) {
      requireData();
      const ord = Array.from(order ?? Array.from({ length: Math.min(B, nSamples) }, (_, i) => i)).slice(0, B);
      ensureSteps(1, ord);
      writeSteps(1, ord.length, false);
      const enc = encode(1, gradientPasses);
      const part = await read(enc, partials, 0, S * P);
      const sq = await read(device.createCommandEncoder(), head, B * O, B * O);
      const g = new Float32Array(P);
      for (let s = 0; s < S; s++) for (let p = 0; p < P; p++) g[p] = g[p]! + part[s * P + p]!;
      let loss = 0;
      for (const v of sq) loss += v;
      return { loss: loss / (ord.length * O), grads: splitWeights(g) };
    },

    dispose() {
      for (const b of owned) b.destroy();
      owned.length = 0;
      if (!opts.gpu) device.destroy();
    },
  };
  await trainer.setWeights(initialWeights(opts));
  return trainer;
}
