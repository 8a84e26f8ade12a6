// The CPU implementation of RnnKernel: WebAssembly SIMD engines (src/rnn.c), one per thread, each
// running a slice of the batch. Two builds of the engine: relaxed SIMD (FMA in the matrix products)
// where the runtime validates f32x4.relaxed_madd, else plain SIMD128. The main thread computes the first slice itself while worker
// threads compute the others; the call stays synchronous (tf.customGrad needs that) because the
// main thread blocks in Atomics.wait until the workers are done. Without worker_threads, or for
// small batches, everything runs on the main thread.
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ENGINE_JS, WORKER_JS } from './engine-src.js';
import { refreshSpin, spin, spinUntilMoved } from './handoff.js';
import { RNN_WASM_BASE64, RNN_WASM_RELAXED_BASE64 } from './rnn-wasm.gen.js';
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

/** Rows per thread below which a worker round-trip costs more than it saves. */
const MIN_ROWS_PER_THREAD = 8;

// One pool per build (a worker's engines are instances of the module it was started with).
const pools = new Map<SimdBuild, ThreadSlot[]>();

/** Threads the kernel uses (main thread included): RNN_KERNEL_THREADS, else the cores, at most 8. */
export function kernelThreadCount(): number {
  const env = Number(process.env.RNN_KERNEL_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 16);
  return Math.max(1, Math.min(8, availableParallelism()));
}

function threads(build: SimdBuild): ThreadSlot[] {
  let pool = pools.get(build);
  if (pool) return pool;
  pool = [];
  pools.set(build, pool);
  const n = kernelThreadCount() - 1;
  for (let i = 0; i < n; i++) {
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

interface Slice {
  b0: number;
  b1: number;
  slot: ThreadSlot | null;
}

class WasmTape implements RnnTape {
  constructor(
    readonly shape: RnnShape,
    readonly slices: Slice[],
    readonly owner: WasmRnnKernel,
  ) {}
  dispose(): void {
    /* the memory is the engine's and is reused by its next forward() */
  }
}

/**
 * One instance per layer: it owns one engine per thread, and each engine keeps the tape of the
 * last forward() until backward() (so two layers never share a tape).
 */
export class WasmRnnKernel implements RnnKernel {
  readonly name: string;
  private readonly id = nextId++;
  private readonly local: Engine;
  private readonly remote = new Set<ThreadSlot>();
  private disposed = false;

  constructor(
    private readonly maxThreads = kernelThreadCount(),
    readonly build: SimdBuild = defaultSimdBuild(),
  ) {
    this.local = createEngine(rnnWasmModule(build));
    this.name = build === 'simd' ? 'fused-wasm-simd' : 'fused-wasm-relaxed-simd';
  }

  private plan(batch: number): Slice[] {
    const slots =
      this.maxThreads > 1
        ? threads(this.build)
            .filter((s) => !s.broken)
            .slice(0, this.maxThreads - 1)
        : [];
    const n = Math.max(1, Math.min(slots.length + 1, Math.floor(batch / MIN_ROWS_PER_THREAD)));
    const out: Slice[] = [];
    for (let i = 0; i < n; i++) {
      const b0 = Math.floor((batch * i) / n),
        b1 = Math.floor((batch * (i + 1)) / n);
      out.push({ b0, b1, slot: i === 0 ? null : slots[i - 1]! });
    }
    return out;
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
    const slices = this.plan(B);
    if (slices.length > 1) refreshSpin();
    for (const s of slices.slice(1)) {
      this.remote.add(s.slot!);
      const xs = x.slice(s.b0 * T * F, s.b1 * T * F);
      post(s.slot!, { op: 'forward', id: this.id, args: { ...base, B: s.b1 - s.b0, x: xs } }, [xs.buffer]);
    }
    const s0 = slices[0]!;
    const parts: Float32Array[] = [];
    let firstError: unknown = null;
    try {
      parts.push(this.local.run('forward', { ...base, B: s0.b1 - s0.b0, x: x.subarray(0, s0.b1 * T * F) }));
    } catch (e) {
      firstError = e;
    }
    for (const s of slices.slice(1)) {
      try {
        parts.push(collect<Float32Array>(s.slot!));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    // Slices are whole batch rows, so the outputs concatenate in batch order.
    const output = new Float32Array(sz.output);
    let off = 0;
    for (const p of parts) {
      output.set(p, off);
      off += p.length;
    }
    return training ? { output, tape: new WasmTape(shape, slices, this) } : { output };
  }

  backward(tape: RnnTape, dy: Float32Array, opts: { dx?: boolean } = {}): RnnGradients {
    const needDx = opts.dx !== false;
    if (!(tape instanceof WasmTape) || tape.owner !== this)
      throw new Error('fused RNN kernel: tape from another kernel');
    const shape = tape.shape;
    const sz = rnnSizes(shape);
    if (dy.length !== sz.output) throw new Error(`fused RNN kernel: dy has ${dy.length} values, expected ${sz.output}`);
    const perRow = (shape.returnSequences ? shape.steps : 1) * shape.units;
    for (const s of tape.slices.slice(1)) {
      const d = dy.slice(s.b0 * perRow, s.b1 * perRow);
      post(s.slot!, { op: 'backward', id: this.id, args: { dy: d, dx: needDx } }, [d.buffer]);
    }
    const s0 = tape.slices[0]!;
    const parts: BackwardOut[] = [];
    let firstError: unknown = null;
    try {
      parts.push(this.local.run('backward', { dy: dy.subarray(0, s0.b1 * perRow), dx: needDx }));
    } catch (e) {
      firstError = e;
    }
    for (const s of tape.slices.slice(1)) {
      try {
        parts.push(collect<BackwardOut>(s.slot!));
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
    const g: RnnGradients = {
      dx: new Float32Array(needDx ? sz.x : 0),
      dKernel: parts[0]!.dW,
      dRecurrentKernel: parts[0]!.dU,
      dBias: parts[0]!.db,
    };
    let off = 0;
    for (const [i, p] of parts.entries()) {
      g.dx.set(p.dx, off);
      off += p.dx.length;
      if (i === 0) continue;
      addInto(g.dKernel, p.dW);
      addInto(g.dRecurrentKernel, p.dU);
      addInto(g.dBias, p.db);
    }
    return g;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
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
