// The three per-step products of the fused LSTM (forward h.U per step, backward dZ.U^T per step,
// the weight gradient dU = Hprev^T . dZ over all T*B rows) on one batch slice, run by the
// native addon (each instruction set and tile height) and by rnn.c's own wasm code (plain and
// relaxed SIMD) on the same inputs: the `native` bench suite times them, products.test.ts
// compares their results.
import { createRequire } from 'node:module';

export type Product = 'forward h.U per step' | 'backward dZ.U^T per step' | 'weight gradient dU';
export const PRODUCTS: Product[] = ['forward h.U per step', 'backward dZ.U^T per step', 'weight gradient dU'];

/** One thread's slice of a fused LSTM call: batch rows B, T steps, H units (G = 4 gates). */
export interface Slice {
  units: number;
  batch: number;
  steps: number;
  features: number;
}

interface Addon {
  isas(): { name: string; panel: number }[];
  pack(isa: string, K: number, N: number, B: Float32Array, ldb: number, dst: Float32Array): void;
  steps(
    isa: string,
    mr: number,
    T: number,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    astep: number,
    Bp: Float32Array,
    C: Float32Array,
    cstep: number,
    backward: number,
  ): void;
  gemmTn(
    isa: string,
    mr: number,
    M: number,
    N: number,
    K: number,
    A: Float32Array,
    lda: number,
    B: Float32Array,
    ldb: number,
    C: Float32Array,
    ldc: number,
    work: Float32Array,
  ): void;
}

interface WasmExports {
  memory: { buffer: ArrayBuffer };
  rnn_setup(...a: number[]): number;
  rnn_ptr(which: number): number;
  rnn_forward(): void;
  rnn_backward(needDx: number): void;
  bench_alloc(floats: number): number;
  bench_pack(K: number, N: number, B: number, ldb: number, dst: number): void;
  bench_steps(...a: number[]): void;
  bench_tn(...a: number[]): void;
}

// This project's tsconfig has no DOM lib: the WebAssembly global as far as it is used here.
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (b: Uint8Array) => object;
      Instance: new (m: object, i: object) => { exports: unknown };
      validate(b: Uint8Array): boolean;
    };
  }
).WebAssembly;

/** The inputs of one slice, the same for every implementation (seeded, so runs repeat). */
export interface Inputs {
  s: Slice;
  GH: number;
  hs: Float32Array; // [(T+1)·B, H]: h_{t-1} of every step
  U: Float32Array; // [H, GH]
  UT: Float32Array; // [GH, H]
  Z0: Float32Array; // [T·B, GH]: the input projection the forward adds h.U to
  dZ: Float32Array; // [T·B, GH]: gate gradients, A of the backward and B of dU
}

export function makeInputs(s: Slice, seed = 1): Inputs {
  let x = seed >>> 0 || 1;
  const rnd = (scale: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 2 ** 32 - 0.5) * scale;
  };
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => rnd(scale));
  const { units: H, batch: B, steps: T } = s;
  const GH = 4 * H;
  const U = fill(H * GH, 0.3);
  const UT = new Float32Array(GH * H);
  for (let k = 0; k < H; k++) for (let j = 0; j < GH; j++) UT[j * H + k] = U[k * GH + j]!;
  return { s, GH, hs: fill((T + 1) * B * H, 2), U, UT, Z0: fill(T * B * GH, 1), dZ: fill(T * B * GH, 0.2) };
}

/** FLOPs of one call of each product (a multiply-add counts 2). */
export function productFlops(s: Slice, p: Product): number {
  const f = 2 * s.batch * s.units * 4 * s.units;
  return p === 'forward h.U per step'
    ? f * s.steps
    : p === 'backward dZ.U^T per step'
      ? f * (s.steps - 1)
      : f * s.steps;
}

/** One implementation on one slice: run() a product (outputs accumulate), output() after reset(). */
export interface Runner {
  name: string;
  run(p: Product): void;
  reset(p: Product): void;
  output(p: Product): Float32Array;
}

export function loadAddon(file: string): Addon {
  return createRequire(import.meta.url)(file) as Addon;
}

/** The addon on one slice, one instruction set, tiles of mr rows. */
export function nativeRunner(addon: Addon, isa: string, panel: number, mr: number, inp: Inputs): Runner {
  const { units: H, batch: B, steps: T } = inp.s;
  const GH = inp.GH;
  const UP = new Float32Array(H * GH),
    UTP = new Float32Array(GH * H);
  addon.pack(isa, H, GH, inp.U, GH, UP);
  addon.pack(isa, GH, H, inp.UT, H, UTP);
  const Z = inp.Z0.slice(),
    dH = new Float32Array(T * B * H),
    dU = new Float32Array(H * GH),
    work = new Float32Array(128 * (H + panel));
  const out = { 'forward h.U per step': Z, 'backward dZ.U^T per step': dH, 'weight gradient dU': dU };
  return {
    name: `native ${isa} ${mr}x${panel}`,
    run(p) {
      if (p === 'forward h.U per step') addon.steps(isa, mr, T, B, GH, H, inp.hs, B * H, UP, Z, B * GH, 0);
      else if (p === 'backward dZ.U^T per step') addon.steps(isa, mr, T, B, H, GH, inp.dZ, B * GH, UTP, dH, B * H, 1);
      else addon.gemmTn(isa, mr, H, GH, T * B, inp.hs, H, inp.dZ, GH, dU, GH, work);
    },
    reset(p) {
      if (p === 'forward h.U per step') Z.set(inp.Z0);
      else out[p].fill(0);
    },
    output: (p) => out[p].slice(),
  };
}

/** rnn.c's products (wasm-products.c) on one slice, in a fresh instance of the given build. */
export function wasmRunner(bytes: Uint8Array, name: string, inp: Inputs): Runner {
  const { units: H, batch: B, steps: T } = inp.s;
  const GH = inp.GH;
  const ex = new WA.Instance(new WA.Module(bytes), {}).exports as unknown as WasmExports;
  if (ex.rnn_setup(1, 0, B, T, 1, H, 0) !== 0) throw new Error('rnn_setup: out of memory');
  const alloc = (n: number) => {
    const p = ex.bench_alloc(n);
    if (!p) throw new Error('bench_alloc: out of memory');
    return [p, n] as const;
  };
  const bufs = {
    hs: alloc(inp.hs.length),
    U: alloc(H * GH),
    UT: alloc(GH * H),
    UP: alloc(H * GH),
    UTP: alloc(GH * H),
    Z: alloc(T * B * GH),
    dZ: alloc(T * B * GH),
    dH: alloc(T * B * H),
    dU: alloc(H * GH),
  };
  const view = (b: readonly [number, number]) => new Float32Array(ex.memory.buffer, b[0], b[1]);
  view(bufs.hs).set(inp.hs);
  view(bufs.U).set(inp.U);
  view(bufs.UT).set(inp.UT);
  view(bufs.dZ).set(inp.dZ);
  ex.bench_pack(H, GH, bufs.U[0], GH, bufs.UP[0]);
  ex.bench_pack(GH, H, bufs.UT[0], H, bufs.UTP[0]);
  const outBuf = { 'forward h.U per step': bufs.Z, 'backward dZ.U^T per step': bufs.dH, 'weight gradient dU': bufs.dU };
  return {
    name,
    run(p) {
      const b = bufs;
      if (p === 'forward h.U per step')
        ex.bench_steps(T, B, GH, H, b.hs[0], B * H, b.UP[0], b.U[0], GH, b.Z[0], B * GH, 0);
      else if (p === 'backward dZ.U^T per step')
        ex.bench_steps(T, B, H, GH, b.dZ[0], B * GH, b.UTP[0], b.UT[0], H, b.dH[0], B * H, 1);
      else ex.bench_tn(H, GH, T * B, b.hs[0], H, b.dZ[0], GH, b.dU[0], GH);
    },
    reset(p) {
      if (p === 'forward h.U per step') view(bufs.Z).set(inp.Z0);
      else view(outBuf[p]).fill(0);
    },
    output: (p) => view(outBuf[p]).slice(),
  };
}

/**
 * The whole fused LSTM forward + backward of rnn.c on the slice (random x, weights and output
 * gradient), in its own instance: the time the three products are a share of, same process.
 */
export function wasmWholeLayer(bytes: Uint8Array, s: Slice): () => void {
  const { units: H, batch: B, steps: T, features: F } = s;
  const ex = new WA.Instance(new WA.Module(bytes), {}).exports as unknown as WasmExports;
  if (ex.rnn_setup(1, 0, B, T, F, H, 0) !== 0) throw new Error('rnn_setup: out of memory');
  const inp = makeInputs(s, 3);
  // rnn.c's buffer indices: P_W 0, P_U 1, P_BIAS 3, P_XIN 4, P_DY 12.
  const put = (which: number, v: Float32Array) =>
    new Float32Array(ex.memory.buffer, ex.rnn_ptr(which), v.length).set(v);
  put(0, inp.dZ.subarray(0, F * 4 * H));
  put(1, inp.U);
  put(3, inp.Z0.subarray(0, 4 * H));
  put(4, inp.hs.subarray(0, B * T * F));
  put(12, inp.hs.subarray(0, B * H));
  return () => {
    ex.rnn_forward();
    ex.rnn_backward(1);
  };
}

/** Tile heights measured per instruction set: rnn.c's 4 rows everywhere, plus what the register
 * file holds without spilling (16 ymm: 6 x 2 accumulators; 32 zmm: 8 x 2). */
export const TILE_ROWS: Record<string, number[]> = { 'sse-fma': [4], avx2: [4, 6], avx512: [4, 8], neon: [4, 8] };

/** Every runner for a slice: wasm plain, wasm relaxed (where it validates), the addon's variants. */
export function allRunners(addon: Addon, wasm: [Uint8Array, Uint8Array], inp: Inputs): Runner[] {
  const runners = [wasmRunner(wasm[0], 'wasm simd 4x8', inp)];
  if (WA.validate(wasm[1])) runners.push(wasmRunner(wasm[1], 'wasm relaxed 4x8', inp));
  for (const { name, panel } of addon.isas())
    for (const mr of TILE_ROWS[name] ?? [4]) runners.push(nativeRunner(addon, name, panel, mr, inp));
  return runners;
}

/** ‖a − b‖ / ‖b‖. */
export function relError(a: Float32Array, b: Float32Array): number {
  let d = 0,
    n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += b[i]! ** 2;
  }
  return Math.sqrt(d / n);
}
