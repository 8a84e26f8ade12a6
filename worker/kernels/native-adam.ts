// Adam's update in the native engine, over the step engine's memory (step.ts), where the RNN
// layers run native: the step module's update, the same bits (native/optim.h), 16 lanes wide.
import { createRequire } from 'node:module';
import type { FusedRnn } from './layer.js';
import { nativeEngine } from './wasm.js';

/** The native engine's module: adam() takes an engine (for its instruction set), then adam_update's arguments over the step module's memory. */
export interface NativeAddon {
  create(isa?: string): unknown;
  adam?(engine: unknown, memory: ArrayBuffer, ...a: number[]): void;
}
export type NativeAdam = { addon: Required<NativeAddon>; engine: unknown };

/**
 * The native engine's Adam where the RNN layers run native: the step module's update, the same
 * bits, 16 lanes wide instead of V8's 4 (10.7 → 4.5 µs a batch over GRU 64's 12,737 weights).
 * Layers in a wasm build (no native engine, RNN_KERNEL_SIMD, wasm bench rows) keep it in wasm.
 */
export function nativeAdam(rnn: FusedRnn[]): NativeAdam | null {
  if (!rnn.every((l) => (l.rnnKernel() as { build?: unknown }).build === 'native')) return null;
  const probe = nativeEngine();
  if (!probe.ok) return null;
  const addon = createRequire(import.meta.url)(probe.path) as NativeAddon;
  if (typeof addon.adam !== 'function') return null;
  return { addon: addon as Required<NativeAddon>, engine: addon.create(probe.isa) };
}
