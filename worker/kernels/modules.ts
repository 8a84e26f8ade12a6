// The two builds of the fused kernels' WebAssembly module (src/rnn.c + src/step.c): relaxed SIMD
// (FMA in the matrix products) where the runtime validates f32x4.relaxed_madd, else plain SIMD128;
// each compiled once per process. And the native engine (src/rnn.c built for AVX2 and AVX-512,
// prebuilt per platform), which the layers use in their place where it loads.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
 * The WebAssembly build (the step engine's, and the layers' where the native engine does not run):
 * RNN_KERNEL_SIMD=simd when set, else relaxed SIMD where the runtime has it.
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

// ---- the native engine (src/native/: the same rnn.c with AVX2 / AVX-512 product tiles) ----------

/** The native engine's instruction sets (src/native/isa-*.c). */
export type NativeIsa = 'avx2' | 'avx512';
/**
 * Where a layer's engines run: a WebAssembly build, or the native engine with the best instruction
 * set the CPU has ('native') or a given one (tests, benchmarks: 'native-avx2' on an AVX-512 CPU).
 */
export type KernelBuild = SimdBuild | 'native' | `native-${NativeIsa}`;
/** What a worker thread is handed to make its engines (structured-cloneable): see engine-src.ts. */
export interface NativeModule {
  native: { path: string; isa: string };
}
export type EngineModule = WasmModule | NativeModule;

/**
 * The prebuilt engine of this platform, shipped in worker/kernels/prebuilds (npm run build:kernels),
 * found from this module's file (tests pass another).
 */
export function nativeEnginePath(moduleFile = fileURLToPath(import.meta.url)): string {
  const path = join(dirname(moduleFile), 'prebuilds', `${process.platform}-${process.arch}`, 'rnn-engine.node');
  // Packaged app: electron-builder unpacks every .node beside the archive (the OS cannot dlopen inside it).
  return path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
}

export type NativeProbe = { ok: true; path: string; isa: NativeIsa } | { ok: false; why: string };

/** Whether the engine at `path` loads, and its best instruction set here; else why not. */
export function probeNativeEngine(path: string): NativeProbe {
  if (!existsSync(path)) return { ok: false, why: `no native engine built for ${process.platform}-${process.arch}` };
  try {
    const addon = createRequire(import.meta.url)(path) as { isa(): NativeIsa | null };
    const isa = addon.isa();
    return isa ? { ok: true, path, isa } : { ok: false, why: 'the CPU has neither AVX2 with FMA nor AVX-512' };
  } catch (err) {
    return { ok: false, why: `the native engine did not load: ${(err as Error).message.split('\n')[0]}` };
  }
}

let nativeProbe: NativeProbe | null = null;
/**
 * Whether the native engine runs here, and with which instruction set; else why not (no prebuilt
 * for this platform, a load failure, a CPU without AVX2 + FMA). Probed once per process.
 */
export function nativeEngine(): NativeProbe {
  nativeProbe ??= probeNativeEngine(nativeEnginePath());
  return nativeProbe;
}

/**
 * The build new layers use: RNN_KERNEL_SIMD=simd|relaxed-simd|native when set (benchmarks, tests;
 * one that cannot run here falls back), else the native engine where it runs, else the best wasm build.
 */
export function defaultKernelBuild(): KernelBuild {
  const env = process.env.RNN_KERNEL_SIMD;
  if (env === 'simd' || env === 'relaxed-simd') return defaultSimdBuild();
  return nativeEngine().ok ? 'native' : defaultSimdBuild();
}

/**
 * The run-log line saying why the layers run in WebAssembly where a native engine was wanted (the
 * default): null when the engine runs, or when RNN_KERNEL_SIMD asked for a wasm build.
 */
export function nativeFallbackNote(probe: NativeProbe, env = process.env.RNN_KERNEL_SIMD): string | null {
  if (probe.ok || env === 'simd' || env === 'relaxed-simd') return null;
  return `native RNN engine not used (${probe.why}): the RNN layers run in WebAssembly`;
}

/** What engines of a build are made from: the compiled wasm module, or the native engine's file and ISA. */
export function engineModule(build: KernelBuild): EngineModule {
  if (build === 'simd' || build === 'relaxed-simd') return rnnWasmModule(build);
  const probe = nativeEngine();
  if (!probe.ok) throw new Error(`fused RNN kernel: ${probe.why}`);
  return { native: { path: probe.path, isa: build === 'native' ? probe.isa : build.slice('native-'.length) } };
}

/** The instruction set a native build runs with ('avx512'...), or null for a wasm build. */
export function nativeIsaOf(build: KernelBuild): string | null {
  if (build === 'simd' || build === 'relaxed-simd') return null;
  if (build !== 'native') return build.slice('native-'.length);
  const probe = nativeEngine();
  return probe.ok ? probe.isa : 'unavailable';
}

/** A kernel's name for a build, e.g. 'fused-native-avx512' or 'fused-wasm-relaxed-simd' (benchmarks' rows). */
export function kernelName(build: KernelBuild): string {
  const isa = nativeIsaOf(build);
  if (isa) return `fused-native-${isa}`;
  return build === 'simd' ? 'fused-wasm-simd' : 'fused-wasm-relaxed-simd';
}

/** How the run's device line names a build, e.g. 'native avx512 (fma)' or 'wasm relaxed simd (fma)'. */
export function describeBuild(build: KernelBuild): string {
  const isa = nativeIsaOf(build);
  if (isa) return `native ${isa} (fma)`;
  return build === 'relaxed-simd' ? 'wasm relaxed simd (fma)' : 'wasm simd';
}
