// Public entry of the fused RNN kernels, used by the model builder:
//   const rnn = fusedSupported({ cell, bidirectional }) ? fusedRnnLayer({ cell, units, returnSequences })
//                                                        : tf.layers.lstm({ units, returnSequences });
// and by the trainer to record which implementation trained a run (fusedImplName()).
import type * as tf from '@tensorflow/tfjs';
import { FusedRnn, type FusedRnnConfig } from './layer.js';
import { isCell, type Cell } from './types.js';
import { defaultSimdBuild, kernelThreadCount, wasmSimdSupported } from './wasm.js';
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
  relaxedSimdSupported,
  defaultSimdBuild,
  SIMD_BUILDS,
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

/** What to record on a run: e.g. 'fused-wasm-simd' (2 threads are reported apart, see fusedThreads). */
export function fusedImplName(): string {
  return 'fused-wasm-simd';
}

/**
 * Where the fused kernels run, for the run's device line: the build (relaxed SIMD has FMA in the
 * products) and the threads, e.g. 'wasm relaxed simd (fma), 2 threads'.
 */
export function fusedDevice(): string {
  const threads = kernelThreadCount();
  const build = defaultSimdBuild() === 'relaxed-simd' ? 'wasm relaxed simd (fma)' : 'wasm simd';
  return `${build}, ${threads} thread${threads > 1 ? 's' : ''}`;
}

/** Threads the fused kernel splits a batch over (main thread included). */
export function fusedThreads(): number {
  return kernelThreadCount();
}
