// The CPU implementation of RnnKernel: WebAssembly SIMD engines (src/rnn.c, modules.ts), one per
// thread, each running a block of the batch's slices (slices.ts: cut by the batch size alone, and
// their weight gradients summed up one fixed tree, so the results are the same bits whatever the
// number of threads). That number is chosen per layer by measurement (thread-choice.ts) within this
// process's share of the cores (core-share.ts). The main thread computes its block itself while
// worker threads (pool.ts) compute the others, each call and its results passing through the
// thread's mailbox (mailbox.ts); the call stays synchronous (tf.customGrad needs that)
// because the main thread waits for the workers. Without worker_threads, or for small batches,
// everything runs on the main thread.
import { coreShare } from './core-share.js';
import { ENGINE_JS } from './engine-src.js';
import { refreshSpin } from './handoff.js';
import { createRequire } from 'node:module';
import { defaultKernelBuild, engineModule, kernelName, type EngineModule, type KernelBuild } from './modules.js';
import {
  actCode,
  backwardFloats,
  CELL_CODE,
  forwardFloats,
  readBackward,
  writeBackward,
  writeForward,
} from './mailbox.js';
import {
  collectMail,
  envThreads,
  freeEngine,
  mailbox,
  maxThreadCount,
  postMail,
  threadPool,
  type ThreadSlot,
} from './pool.js';
import { cachedPlan, type Part, type Plan } from './plan.js';
import { sliceCount, type GradExpr, type TopExpr } from './slices.js';
import { ThreadChoice, type ThreadReport } from './thread-choice.js';
import {
  rnnSizes,
  type RnnForwardResult,
  type RnnGradients,
  type RnnKernel,
  type RnnShape,
  type RnnTape,
  type RnnWeights,
} from './types.js';

export interface Engine {
  run(op: 'forward', a: ForwardArgs): Float32Array;
  run(
    op: 'backward',
    a: { dy: Float32Array; dx?: boolean; pieces: GradExpr[]; depths: number[]; dxView?: boolean },
  ): Float32Array;
  run(op: 'gather', a: { top: TopExpr; exts: Float32Array[][]; first?: Grads }): Grads;
  run(op: 'release'): null;
}
interface ForwardArgs {
  cell: number;
  act: number;
  B: number;
  T: number;
  F: number;
  H: number;
  retSeq: boolean;
  x: Float32Array;
  W: Float32Array;
  U: Float32Array;
  bias: Float32Array;
  /** Where the output goes (else a new array). */
  into?: Float32Array;
}
// `require` loads the native engine (worker threads have their own).
const createEngine = new Function('require', `${ENGINE_JS}; return createEngine;`)(createRequire(import.meta.url)) as (
  m: EngineModule,
) => Engine;

type Grads = { dW: Float32Array; dU: Float32Array; db: Float32Array };

export {
  SIMD_BUILDS,
  defaultKernelBuild,
  defaultSimdBuild,
  describeBuild,
  nativeEngine,
  relaxedSimdSupported,
  rnnWasmModule,
  wasmSimdSupported,
  type KernelBuild,
  type SimdBuild,
} from './modules.js';
export {
  envThreads,
  kernelThreadCount,
  kernelThreadPoolSize,
  maxThreadCount,
  prestartKernelThreads,
  shutdownKernelThreads,
} from './pool.js';
export { sliceBounds, threadBlocks } from './slices.js';

let nextId = 1;

let choiceListener: ((r: ThreadReport & { layer: string }) => void) | null = null;
/** Called when a layer's kernel has chosen its thread count (the trainer logs it on the run). */
export function onThreadChoice(listener: ((r: ThreadReport & { layer: string }) => void) | null): void {
  choiceListener = listener;
}
/** Reports a choice made for several layers at once (split-step.ts). */
export function reportThreadChoice(r: ThreadReport & { layer: string }): void {
  choiceListener?.(r);
}

/** What the row-split training step (split-step.ts) drives of a layer's kernel directly. */
export interface KernelHandle {
  /** The layer's id in its worker threads' engines. */
  id: number;
  /** The main thread's engine. */
  engine: Engine;
  build: KernelBuild;
  /** The thread count the kernel was created with (tests, benchmarks), if any. */
  fixed: number | undefined;
  /** Records that a thread holds an engine of this layer (freed by dispose()). */
  useSlot(slot: ThreadSlot): void;
  /** Takes the step's thread count (for the layer's other calls) and frees the engines of the threads it leaves idle. */
  adopt(r: ThreadReport): void;
}

class WasmTape implements RnnTape {
  constructor(
    readonly shape: RnnShape,
    readonly plan: Plan,
    /** Part of the thread-count measurement: its time is recorded after the backward. */
    readonly timed: boolean,
    readonly owner: WasmRnnKernel,
    readonly forwardMs: number,
  ) {}
  dispose(): void {
    /* the memory is the engines' and is reused by their next forward() */
  }
}

/**
 * One instance per layer: it owns one engine per thread, each running a run of whole slices, and
 * each engine keeps the tape of the last forward() until backward() (so two layers never share a tape).
 */
export class WasmRnnKernel implements RnnKernel {
  readonly name: string;
  private readonly id = nextId++;
  private readonly local: Engine;
  private readonly remote = new Set<ThreadSlot>();
  private readonly choice: ThreadChoice;
  /** The shape of the calls that measured the thread count (for the run log). */
  private measured: RnnShape | null = null;
  /** Plans by batch size and thread count (the slices, blocks and gradient-tree pieces). */
  private readonly plans = new Map<number, Plan>();
  private disposed = false;

  /**
   * `threads`: use exactly this many (tests, benchmarks); by default the count is measured on the
   * first training batches (RNN_KERNEL_THREADS fixes it), within this process's share of the cores.
   */
  constructor(
    private readonly threads?: number,
    readonly build: KernelBuild = defaultKernelBuild(),
  ) {
    this.local = createEngine(engineModule(build));
    this.choice = new ThreadChoice(threads ?? envThreads(), (r) => {
      this.trim(r.threads);
      const sh = this.measured;
      const layer = sh ? `${sh.cell} ${sh.units} units, ${sh.features} input${sh.features > 1 ? 's' : ''}` : 'a layer';
      choiceListener?.({ ...r, layer });
    });
    this.name = kernelName(build);
  }

  handle(): KernelHandle {
    return {
      id: this.id,
      engine: this.local,
      build: this.build,
      fixed: this.threads,
      useSlot: (s) => this.remote.add(s),
      adopt: (r) => {
        this.choice.adopt(r);
        this.trim(r.threads);
      },
    };
  }

  /** The thread count this layer chose and what it measured (null before its first measurement, or when fixed). */
  threadReport(): ThreadReport | null {
    return this.choice.report();
  }

  // Runs at every call: no allocation on the way to a cached plan (this cost 1.9 µs a call).
  private plan(batch: number, training: boolean): { plan: Plan; timed: boolean } {
    const n = sliceCount(batch);
    // Every call beats the heartbeat; a count set by the caller is not capped by the share.
    const share = coreShare();
    const allowed = Math.min(n, this.threads ?? Math.min(maxThreadCount(), share));
    const { threads: want, timed } = this.choice.pick(batch, allowed, training);
    const plan = cachedPlan(this.plans, this.build, batch, want);
    return { plan, timed: timed && plan.parts.length === want };
  }

  /** Frees the engines of the threads the chosen count leaves idle (the measurement ran them all). */
  // Called when the thread count changes (after a backward: no tape is needed until the next
  // forward). The main thread's engine is released too, so that it is next allocated for its new
  // share of the batch, not kept at the largest it measured (the native engine frees it now).
  private trim(threads: number): void {
    this.local.run('release');
    const keep = new Set(
      threads > 1
        ? threadPool(this.build)
            .filter((s) => !s.broken)
            .slice(0, threads - 1)
        : [],
    );
    for (const s of this.remote) {
      if (keep.has(s)) continue;
      this.remote.delete(s);
      freeEngine(s, this.id);
    }
  }

  forward(shape: RnnShape, x: Float32Array, w: RnnWeights, training: boolean, into?: Float32Array): RnnForwardResult {
    if (this.disposed) throw new Error('fused RNN kernel: used after dispose()');
    const sz = rnnSizes(shape);
    const check = (name: string, got: number, want: number) => {
      if (got !== want)
        throw new Error(`fused RNN kernel: ${name} has ${got} values, expected ${want} for ${JSON.stringify(shape)}`);
    };
    check('x', x.length, sz.x);
    check('kernel', w.kernel.length, sz.kernel);
    check('recurrentKernel', w.recurrentKernel.length, sz.recurrentKernel);
    check('bias', w.bias.length, sz.bias);
    if (into) check('into', into.length, sz.output);
    const { batch: B, steps: T, features: F, units: H } = shape;
    const { plan, timed } = this.plan(B, training);
    if (timed) this.measured = shape;
    const t0 = performance.now();
    const [p0, ...others] = plan.parts as [Part, ...Part[]];
    if (others.length) refreshSpin();
    // The other threads' calls go through their mailboxes (mailbox.ts); the main thread runs its
    // own part meanwhile.
    let firstError: unknown = null;
    const posted: Part[] = [];
    for (const p of others) {
      try {
        this.remote.add(p.slot!);
        const rows = p.b1 - p.b0;
        const m = mailbox(p.slot!, forwardFloats(shape, rows));
        writeForward(m, this.id, shape, rows, x.subarray(p.b0 * T * F, p.b1 * T * F), w);
        postMail(p.slot!);
        posted.push(p);
      } catch (e) {
        firstError ??= e;
      }
    }
    // Parts are whole batch rows, so the outputs concatenate in batch order.
    const output = into ?? new Float32Array(sz.output);
    const rowOut = sz.output / B;
    try {
      if (!firstError)
        this.local.run('forward', {
          cell: CELL_CODE[shape.cell],
          act: actCode(shape),
          B: p0.b1 - p0.b0,
          T,
          F,
          H,
          retSeq: shape.returnSequences,
          x: x.subarray(0, p0.b1 * T * F),
          W: w.kernel,
          U: w.recurrentKernel,
          bias: w.bias,
          into: output.subarray(0, p0.b1 * rowOut),
        });
    } catch (e) {
      firstError = e;
    }
    for (const p of posted) {
      try {
        output.set(collectMail(p.slot!).f32.subarray(0, (p.b1 - p.b0) * rowOut), p.b0 * rowOut);
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    return training ? { output, tape: new WasmTape(shape, plan, timed, this, performance.now() - t0) } : { output };
  }

  backward(
    tape: RnnTape,
    dy: Float32Array,
    opts: { dx?: boolean; grads?: Omit<RnnGradients, 'dx'> } = {},
  ): RnnGradients {
    const needDx = opts.dx !== false;
    if (!(tape instanceof WasmTape) || tape.owner !== this)
      throw new Error('fused RNN kernel: tape from another kernel');
    const { shape, plan, timed } = tape;
    const sz = rnnSizes(shape);
    if (dy.length !== sz.output) throw new Error(`fused RNN kernel: dy has ${dy.length} values, expected ${sz.output}`);
    const t = opts.grads;
    if (
      t &&
      (t.dKernel.length !== sz.kernel || t.dRecurrentKernel.length !== sz.recurrentKernel || t.dBias.length !== sz.bias)
    )
      throw new Error(`fused RNN kernel: gradient arrays of the wrong sizes for ${JSON.stringify(shape)}`);
    const t0 = performance.now();
    const perRow = (shape.returnSequences ? shape.steps : 1) * shape.units;
    const [p0, ...others] = plan.parts as [Part, ...Part[]];
    let firstError: unknown = null;
    const posted: Part[] = [];
    for (const p of others) {
      try {
        const rows = p.b1 - p.b0;
        const m = mailbox(p.slot!, backwardFloats(shape, rows, needDx, p.pieces.length));
        writeBackward(m, this.id, shape, rows, dy.subarray(p.b0 * perRow, p.b1 * perRow), needDx, p.pieces);
        postMail(p.slot!);
        posted.push(p);
      } catch (e) {
        firstError ??= e;
      }
    }
    // The main thread's pieces stay in its engine's accumulators, where the others' are added to
    // them up the fixed tree (slices.ts): the same bits for any thread count.
    const dxs: Float32Array[] = [];
    const exts: Float32Array[][] = [[]];
    try {
      if (!firstError)
        dxs.push(
          this.local.run('backward', {
            dy: dy.subarray(0, p0.b1 * perRow),
            dx: needDx,
            pieces: p0.pieces,
            depths: plan.depths,
          }),
        );
    } catch (e) {
      firstError = e;
    }
    for (const p of posted) {
      try {
        const got = readBackward(collectMail(p.slot!), shape, p.b1 - p.b0, needDx, p.pieces.length);
        dxs.push(got.dx);
        exts.push(got.grads);
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    const sum = this.local.run('gather', {
      top: plan.top,
      exts,
      first: t ? { dW: t.dKernel, dU: t.dRecurrentKernel, db: t.dBias } : undefined,
    });
    const g: RnnGradients = {
      dx: new Float32Array(needDx ? sz.x : 0),
      dKernel: sum.dW,
      dRecurrentKernel: sum.dU,
      dBias: sum.db,
    };
    let off = 0;
    for (const d of dxs) {
      g.dx.set(d, off);
      off += d.length;
    }
    if (timed) this.choice.record(plan.parts.length, tape.forwardMs + performance.now() - t0);
    return g;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.local.run('release');
    for (const s of this.remote) freeEngine(s, this.id);
    this.remote.clear();
  }
}
