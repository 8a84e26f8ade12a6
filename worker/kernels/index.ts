// Public entry of the fused RNN kernels, used by the model builder:
//   const rnn = fusedSupported({ cell, bidirectional }) ? fusedRnnLayer({ cell, units, returnSequences })
//                                                        : tf.layers.lstm({ units, returnSequences });
// and by the trainer to record which implementation trained a run (fusedImplName()).
import type * as tf from '@tensorflow/tfjs';
import { FusedRnn, type FusedRnnConfig } from './layer.js';
import { isCell, type Cell } from './types.js';
import { describeThreadChoice } from './thread-choice.js';
import { nativeEngine, nativeFallbackNote } from './modules.js';
import {
  defaultKernelBuild,
  describeBuild,
  envThreads,
  kernelThreadCount,
  maxThreadCount,
  onThreadChoice,
  wasmSimdSupported,
} from './wasm.js';
export { effectiveSpin, kernelSpinMicros, setKernelSpinMicros } from './handoff.js';

export type { FusedRnnConfig } from './layer.js';
export { FusedRnn } from './layer.js';
export {
  gateCount,
  type Cell,
  type RnnKernel,
  type RnnShape,
  type RnnWeights,
  type RnnGradients,
  type RnnTape,
} from './types.js';
export {
  WasmRnnKernel,
  shutdownKernelThreads,
  prestartKernelThreads,
  kernelThreadPoolSize,
  kernelThreadCount,
  maxThreadCount,
  onThreadChoice,
  sliceBounds,
  relaxedSimdSupported,
  defaultSimdBuild,
  defaultKernelBuild,
  nativeEngine,
  SIMD_BUILDS,
  type KernelBuild,
  type SimdBuild,
} from './wasm.js';

/** A TF.js layer with tf.layers' weight layout, computing the whole sequence in one fused op. */
export function fusedRnnLayer(cfg: FusedRnnConfig): tf.layers.Layer {
  return new FusedRnn(cfg);
}

/** Whether the fused path can train this layer here (no bidirectional wrapper; WebAssembly SIMD). */
export function fusedSupported(opts: { cell: Cell; bidirectional: boolean }): boolean {
  if (opts.bidirectional) return false;
  if (!isCell(opts.cell)) return false;
  return wasmSimdSupported();
}

/**
 * What to record on a run: 'fused-wasm-simd' whichever engine runs the layers (the native engine
 * computes the relaxed-SIMD module's results bit for bit, and runs compare across builds); the
 * device line says which engine, instruction set and threads.
 */
export function fusedImplName(): string {
  return 'fused-wasm-simd';
}

/** A run-log line when the layers fall back to WebAssembly from the native engine, saying why; else null. */
export function fusedNote(): string | null {
  return nativeFallbackNote(nativeEngine());
}

/**
 * Where the fused kernels run, for the run's device line: the build (the native engine and its
 * instruction set, or the wasm build: relaxed SIMD has FMA in the products) and the threads, e.g.
 * 'native avx512 (fma), up to 8 threads' or 'wasm relaxed simd (fma), up to 8 threads' (each layer measures
 * its count on the first batches and the run log says which it chose), or 'wasm simd, 2 threads'
 * when RNN_KERNEL_THREADS sets them.
 */
export function fusedDevice(): string {
  const fixed = envThreads();
  const threads = fixed ?? maxThreadCount();
  const build = describeBuild(defaultKernelBuild());
  return `${build}, ${fixed === null && threads > 1 ? 'up to ' : ''}${threads} thread${threads > 1 ? 's' : ''}`;
}

/** Logs each layer's thread-count choice with `log` (the trainer's run log), until the next call. */
export function logThreadChoices(log: (msg: string) => void): void {
  onThreadChoice((r) => log(describeThreadChoice(r)));
}

/** Threads the fused kernel's pool starts with (main thread included); benchmarks compare it with one. */
export function fusedThreads(): number {
  return kernelThreadCount();
}
