// The CPU implementation of RnnKernel: WebAssembly SIMD engines (src/rnn.c), each running a slice
// of the batch. Two builds of the engine: relaxed SIMD (FMA in the matrix products) where the
// runtime validates f32x4.relaxed_madd, else plain SIMD128. A batch is cut into slices of at least
// 8 rows (at most 16 slices) by its size alone; the main thread computes the first slices itself
// while worker threads compute the others, and the weight gradients are summed in slice order, so
// the results are the same bits whatever the number of threads. That number is chosen per layer by
// measurement (thread-choice.ts) within this process's share of the cores (core-share.ts). The call
// stays synchronous (tf.customGrad needs that) because the main thread blocks in Atomics.wait until
// the workers are done. Without worker_threads, or for small batches, everything runs on the main
// thread.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { coreShare } from './core-share.js';
import { ENGINE_JS, WORKER_JS } from './engine-src.js';
import { refreshSpin, spin, spinUntilMoved } from './handoff.js';
import { RNN_WASM_BASE64, RNN_WASM_RELAXED_BASE64 } from './rnn-wasm.gen.js';
import { ThreadChoice, type ThreadReport } from './thread-choice.js';
import {
  rnnSizes,
  type Cell,
  type RnnForwardResult,
  type RnnGradients,
  type RnnKernel,
  type RnnShape,
  type RnnTape,
  type RnnWeights,
} from './types.js';

// The cell codes of src/rnn.c's rnn_setup().
const CELL_CODE: Record<Cell, number> = { simpleRNN: 0, lstm: 1, gru: 2 };

interface Engine {
  run(op: 'forward', a: ForwardArgs): Float32Array;
  run(op: 'backward', a: { dy: Float32Array; dx?: boolean }): BackwardOut;
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
}
interface BackwardOut {
  dx: Float32Array;
  dW: Float32Array;
  dU: Float32Array;
  db: Float32Array;
}

// The project compiles without lib.dom, which is where TypeScript declares WebAssembly.
type WasmModule = object & { readonly __wasmModule?: never };
const WA = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule; validate(bytes: Uint8Array): boolean };
  }
).WebAssembly;

const createEngine = new Function(`${ENGINE_JS}; return createEngine;`)() as (m: WasmModule) => Engine;

/** Which build of src/rnn.c runs: 'relaxed-simd' has FMA in the products, 'simd' does not. */
export type SimdBuild = 'simd' | 'relaxed-simd';
export const SIMD_BUILDS: readonly SimdBuild[] = ['simd', 'relaxed-simd'];

// The smallest module using f32x4.relaxed_madd (0xfd 0x85 0x02) on three v128.const zeros: V8
// validates it from 11.4 on (Node 22, Electron 25), and on Node 20 with
// --experimental-wasm-relaxed-simd (core/jobs.ts passes it to the forked trainer).
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_PROBE = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type section: () -> ()
  ...[0x03, 0x02, 0x01, 0x00], // function section
  ...[0x0a, 0x3e, 0x01, 0x3c, 0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x1a, 0x0b],
]);

/** Whether this runtime has WebAssembly relaxed SIMD (f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  try {
    return WA.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * The build new kernels use: RNN_KERNEL_SIMD=simd|relaxed-simd when set (benchmarks, tests; an
 * unsupported relaxed-simd falls back), else relaxed SIMD where the runtime has it.
 */
export function defaultSimdBuild(): SimdBuild {
  const env = process.env.RNN_KERNEL_SIMD;
  if (env === 'simd') return 'simd';
  return relaxedSimdSupported() ? 'relaxed-simd' : 'simd';
}

const wasmModules = new Map<SimdBuild, WasmModule>();
/** The compiled module of a build (compiled once per process; throws where it does not validate). */
export function rnnWasmModule(build: SimdBuild = defaultSimdBuild()): WasmModule {
  let m = wasmModules.get(build);
  if (!m) {
    m = new WA.Module(Buffer.from(build === 'simd' ? RNN_WASM_BASE64 : RNN_WASM_RELAXED_BASE64, 'base64'));
    wasmModules.set(build, m);
  }
  return m;
}

/** Whether this JavaScript engine runs WebAssembly SIMD (V8 ≥ 9.1: Node ≥ 16.4, Electron ≥ 13). */
export function wasmSimdSupported(): boolean {
  try {
    return WA.validate(Buffer.from(RNN_WASM_BASE64, 'base64'));
  } catch {
    return false;
  }
}

// ---- worker threads -------------------------------------------------------------------------
interface ThreadSlot {
  worker: Worker;
  port: MessagePort;
  ctrl: Int32Array;
  posted: number;
  broken: boolean;
}

/** Rows per slice below which a worker round-trip costs more than it saves. */
const MIN_ROWS_PER_SLICE = 8;
/** Slices per batch at most: the most threads one layer can use. */
export const MAX_SLICES = 16;

/**
 * How a batch of `batch` rows is cut: into slices of at least 8 rows, at most 16, by the batch
 * size alone, so that the results never depend on how many threads run the slices.
 */
export function sliceBounds(batch: number): [number, number][] {
  const n = Math.max(1, Math.min(MAX_SLICES, Math.floor(batch / MIN_ROWS_PER_SLICE)));
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([Math.floor((batch * i) / n), Math.floor((batch * (i + 1)) / n)]);
  return out;
}

/** Which thread runs each of `slices` slices with `threads` threads: thread j the j-th contiguous block (0 the main thread). */
export function sliceThreads(slices: number, threads: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < threads; j++)
    for (let i = Math.floor((slices * j) / threads); i < Math.floor((slices * (j + 1)) / threads); i++) out.push(j);
  return out;
}

// One pool per build (a worker's engines are instances of the module it was started with).
const pools = new Map<SimdBuild, ThreadSlot[]>();

/** RNN_KERNEL_THREADS: a fixed thread count (no measurement), at most 16; null when unset. */
export function envThreads(): number | null {
  const env = Number(process.env.RNN_KERNEL_THREADS);
  return Number.isInteger(env) && env >= 1 ? Math.min(env, MAX_SLICES) : null;
}

/**
 * Threads the pool starts with (main thread included): RNN_KERNEL_THREADS, else the cores, at most
 * 8 (batch 64 is 8 slices). It grows, up to the cores and 16, when a larger batch is allowed more.
 */
export function kernelThreadCount(): number {
  return envThreads() ?? Math.max(1, Math.min(8, availableParallelism()));
}

/** The most threads a layer may use: RNN_KERNEL_THREADS, else the cores, at most 16. */
export function maxThreadCount(): number {
  return envThreads() ?? Math.max(1, Math.min(MAX_SLICES, availableParallelism()));
}

/** The build's worker threads, started up to `want` − 1 (the main thread is the other one). */
function threads(build: SimdBuild, want = kernelThreadCount()): ThreadSlot[] {
  let pool = pools.get(build);
  if (!pool) {
    pool = [];
    pools.set(build, pool);
  }
  while (pool.length < want - 1) {
    try {
      const { port1, port2 } = new MessageChannel();
      const ctrl = new Int32Array(new SharedArrayBuffer(8));
      const worker = new Worker(WORKER_JS, {
        eval: true,
        workerData: { port: port2, ctrl, spin, module: rnnWasmModule(build) },
        transferList: [port2],
      });
      worker.unref();
      const slot: ThreadSlot = { worker, port: port1, ctrl, posted: 0, broken: false };
      worker.on('error', () => {
        slot.broken = true;
      });
      worker.on('exit', () => {
        slot.broken = true;
      });
      pool.push(slot);
    } catch {
      break; // threads unavailable: the main thread does all the work
    }
  }
  return pool;
}

function post(slot: ThreadSlot, msg: unknown, transfer: ArrayBuffer[] = []): void {
  slot.port.postMessage(msg, transfer);
  slot.posted++;
  Atomics.add(slot.ctrl, 0, 1);
  Atomics.notify(slot.ctrl, 0);
}

function collect<T>(slot: ThreadSlot): T {
  for (;;) {
    const done = Atomics.load(slot.ctrl, 1);
    if (done >= slot.posted) break;
    if (slot.broken) throw new Error('fused RNN kernel: a worker thread exited');
    if (!spinUntilMoved(slot.ctrl, 1, done)) Atomics.wait(slot.ctrl, 1, done, 1000);
  }
  let got = receiveMessageOnPort(slot.port);
  while (!got) got = receiveMessageOnPort(slot.port); // counter moved before the message landed
  const reply = got.message as { ok: boolean; value?: T; error?: string };
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as T;
}

/**
 * Starts the default build's worker threads now instead of at the first batch: a warm or early
 * trainer (worker/main.ts) calls it while it waits for its run, so the threads' start and their
 * module instantiation overlap the host's work (about 100 ms of a cold trainer's first batch).
 * Idle threads are unref'd and cost nothing if the run takes another path (GPU, tf.layers).
 */
export function prestartKernelThreads(): void {
  if (wasmSimdSupported()) threads(defaultSimdBuild());
}

/** Worker threads started for a build (tests: the prestart is reused, not doubled). */
export function kernelThreadPoolSize(build: SimdBuild = defaultSimdBuild()): number {
  return pools.get(build)?.length ?? 0;
}

/** Stops the worker threads (tests, process shutdown); the next call starts new ones. */
export function shutdownKernelThreads(): void {
  for (const s of [...pools.values()].flat()) {
    if (!s.broken) post(s, { op: 'exit' });
    void s.worker.terminate();
  }
  pools.clear();
}

// ---- the kernel -----------------------------------------------------------------------------
let nextId = 1;

let choiceListener: ((r: ThreadReport & { layer: string }) => void) | null = null;
/** Called when a layer's kernel has chosen its thread count (the trainer logs it on the run). */
export function onThreadChoice(listener: ((r: ThreadReport & { layer: string }) => void) | null): void {
  choiceListener = listener;
}

interface Plan {
  bounds: [number, number][];
  /** The thread of each slice: null for the main thread. */
  hosts: (ThreadSlot | null)[];
  threads: number;
  /** Part of the thread-count measurement: its time is recorded after the backward. */
  timed: boolean;
}

class WasmTape implements RnnTape {
  constructor(
    readonly shape: RnnShape,
    readonly plan: Plan,
    readonly owner: WasmRnnKernel,
    readonly forwardMs: number,
  ) {}
  dispose(): void {
    /* the memory is the engines' and is reused by their next forward() */
  }
}

/** The remote slices of a plan by thread, in slice order. */
function byThread(plan: Plan): Map<ThreadSlot, number[]> {
  const out = new Map<ThreadSlot, number[]>();
  plan.hosts.forEach((h, i) => {
    if (h) out.set(h, [...(out.get(h) ?? []), i]);
  });
  return out;
}

/**
 * One instance per layer: it owns one engine per slice on the thread that runs it, and each engine
 * keeps the tape of its slice's last forward() until backward() (so two layers never share a tape).
 */
export class WasmRnnKernel implements RnnKernel {
  readonly name: string;
  private readonly id = nextId++;
  private readonly locals: (Engine | undefined)[] = [];
  private readonly remote = new Set<ThreadSlot>();
  private readonly choice: ThreadChoice;
  /** The shape of the calls that measured the thread count (for the run log). */
  private measured: RnnShape | null = null;
  private disposed = false;

  /**
   * `threads`: use exactly this many (tests, benchmarks); by default the count is measured on the
   * first training batches (RNN_KERNEL_THREADS fixes it), within this process's share of the cores.
   */
  constructor(
    private readonly threads?: number,
    readonly build: SimdBuild = defaultSimdBuild(),
  ) {
    this.choice = new ThreadChoice(threads ?? envThreads(), (r) => {
      this.trim();
      const sh = this.measured;
      const layer = sh ? `${sh.cell} ${sh.units} units, ${sh.features} input${sh.features > 1 ? 's' : ''}` : 'a layer';
      choiceListener?.({ ...r, layer });
    });
    this.name = build === 'simd' ? 'fused-wasm-simd' : 'fused-wasm-relaxed-simd';
  }

  /** The thread count this layer chose and what it measured (null while measuring, or when fixed). */
  threadReport(): ThreadReport | null {
    return this.choice.report();
  }

  private engine(i: number): Engine {
    return (this.locals[i] ??= createEngine(rnnWasmModule(this.build)));
  }

  private plan(batch: number, training: boolean): Plan {
    const bounds = sliceBounds(batch);
    // Every call beats the heartbeat; a count set by the caller is not capped by the share.
    const share = coreShare();
    const allowed = Math.min(bounds.length, this.threads ?? Math.min(maxThreadCount(), share));
    const { threads: want, timed } = this.choice.pick(batch, allowed, training);
    return this.planFor(bounds, want, timed);
  }

  private planFor(bounds: [number, number][], want: number, timed: boolean): Plan {
    const slots =
      want > 1
        ? threads(this.build, want)
            .filter((s) => !s.broken)
            .slice(0, want - 1)
        : [];
    const n = slots.length + 1;
    const hosts = sliceThreads(bounds.length, n).map((j) => (j === 0 ? null : slots[j - 1]!));
    return { bounds, hosts, threads: n, timed: timed && n === want };
  }

  /**
   * Frees the engines the chosen count no longer uses for the measured batch (the measurement ran
   * every candidate, so each slice had an engine on several threads).
   */
  private trim(): void {
    const r = this.choice.report();
    if (!r) return;
    const plan = this.planFor(sliceBounds(r.batch), r.threads, false);
    plan.hosts.forEach((h, i) => {
      if (h) this.locals[i] = undefined;
    });
    for (let i = plan.hosts.length; i < this.locals.length; i++) this.locals[i] = undefined;
    const keep = byThread(plan);
    for (const s of this.remote) {
      if (s.broken) continue;
      post(s, { op: 'free', id: this.id, keep: keep.get(s) ?? [] });
      try {
        collect(s);
      } catch {
        /* the thread is gone */
      }
    }
  }

  forward(shape: RnnShape, x: Float32Array, w: RnnWeights, training: boolean): RnnForwardResult {
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
    const { batch: B, steps: T, features: F, units: H } = shape;
    const base = {
      cell: CELL_CODE[shape.cell],
      act: shape.recurrentActivation === 'sigmoid' ? 1 : 0,
      T,
      F,
      H,
      retSeq: shape.returnSequences,
      W: w.kernel,
      U: w.recurrentKernel,
      bias: w.bias,
    };
    const plan = this.plan(B, training);
    if (plan.timed) this.measured = shape;
    const t0 = performance.now();
    if (plan.threads > 1) refreshSpin();
    const groups = byThread(plan);
    for (const [slot, idx] of groups) {
      this.remote.add(slot);
      const parts = idx.map((i) => {
        const [b0, b1] = plan.bounds[i]!;
        return { slice: i, args: { ...base, B: b1 - b0, x: x.slice(b0 * T * F, b1 * T * F) } };
      });
      post(
        slot,
        { op: 'forward', id: this.id, parts },
        parts.map((p) => p.args.x.buffer as ArrayBuffer),
      );
    }
    const outs: Float32Array[] = [];
    let firstError: unknown = null;
    try {
      plan.hosts.forEach((h, i) => {
        if (h) return;
        const [b0, b1] = plan.bounds[i]!;
        outs[i] = this.engine(i).run('forward', { ...base, B: b1 - b0, x: x.subarray(b0 * T * F, b1 * T * F) });
      });
    } catch (e) {
      firstError = e;
    }
    for (const [slot, idx] of groups) {
      try {
        collect<Float32Array[]>(slot).forEach((v, k) => (outs[idx[k]!] = v));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    // Slices are whole batch rows, so the outputs concatenate in batch order.
    const output = new Float32Array(sz.output);
    let off = 0;
    for (const p of outs) {
      output.set(p, off);
      off += p.length;
    }
    return training ? { output, tape: new WasmTape(shape, plan, this, performance.now() - t0) } : { output };
  }

  backward(tape: RnnTape, dy: Float32Array, opts: { dx?: boolean } = {}): RnnGradients {
    const needDx = opts.dx !== false;
    if (!(tape instanceof WasmTape) || tape.owner !== this)
      throw new Error('fused RNN kernel: tape from another kernel');
    const { shape, plan } = tape;
    const sz = rnnSizes(shape);
    if (dy.length !== sz.output) throw new Error(`fused RNN kernel: dy has ${dy.length} values, expected ${sz.output}`);
    const t0 = performance.now();
    const perRow = (shape.returnSequences ? shape.steps : 1) * shape.units;
    const groups = byThread(plan);
    for (const [slot, idx] of groups) {
      const parts = idx.map((i) => {
        const [b0, b1] = plan.bounds[i]!;
        return { slice: i, args: { dy: dy.slice(b0 * perRow, b1 * perRow), dx: needDx } };
      });
      post(
        slot,
        { op: 'backward', id: this.id, parts },
        parts.map((p) => p.args.dy.buffer as ArrayBuffer),
      );
    }
    const outs: BackwardOut[] = [];
    let firstError: unknown = null;
    try {
      plan.hosts.forEach((h, i) => {
        if (h) return;
        const [b0, b1] = plan.bounds[i]!;
        outs[i] = this.engine(i).run('backward', { dy: dy.subarray(b0 * perRow, b1 * perRow), dx: needDx });
      });
    } catch (e) {
      firstError = e;
    }
    for (const [slot, idx] of groups) {
      try {
        collect<BackwardOut[]>(slot).forEach((v, k) => (outs[idx[k]!] = v));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    // Summed in slice order, whichever thread computed each slice: the same bits for any thread count.
    const g: RnnGradients = {
      dx: new Float32Array(needDx ? sz.x : 0),
      dKernel: outs[0]!.dW,
      dRecurrentKernel: outs[0]!.dU,
      dBias: outs[0]!.db,
    };
    let off = 0;
    for (const [i, p] of outs.entries()) {
      g.dx.set(p.dx, off);
      off += p.dx.length;
      if (i === 0) continue;
      addInto(g.dKernel, p.dW);
      addInto(g.dRecurrentKernel, p.dU);
      addInto(g.dBias, p.db);
    }
    if (plan.timed) this.choice.record(plan.threads, tape.forwardMs + performance.now() - t0);
    return g;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.locals.length = 0;
    for (const s of this.remote) {
      if (s.broken) continue;
      post(s, { op: 'free', id: this.id });
      try {
        collect(s);
      } catch {
        /* the thread is gone; nothing to free */
      }
    }
    this.remote.clear();
  }
}

function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
}
