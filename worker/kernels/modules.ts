// The two builds of the fused kernels' WebAssembly module (src/rnn.c + src/step.c): relaxed SIMD
// (FMA in the matrix products) where the runtime validates f32x4.relaxed_madd, else plain SIMD128;
// each compiled once per process.
import { RNN_WASM_BASE64, RNN_WASM_RELAXED_BASE64 } from './rnn-wasm.gen.js';

// The project compiles without lib.dom, which is where TypeScript declares WebAssembly.
export type WasmModule = object & { readonly __wasmModule?: never };
export const WA = (
  globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => WasmModule; validate(bytes: Uint8Array): boolean };
  }
).WebAssembly;

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
