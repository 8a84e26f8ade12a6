// How many trials a study trains at once by default. On the CPU: the cores over the threads one
// trainer's fused kernels start with (worker/kernels/pool.ts kernelThreadCount: RNN_KERNEL_THREADS,
// else the cores, at most 8: the default batch of 32–64 rows is 4–8 slices, so a trainer rarely
// uses more), so two trials never fight over the same cores; repeated here because core/ does not
// import worker modules; the rule is the kernels'. Where more trainers run than that (a study's
// `concurrency`, other runs, other hosts), they share the cores at run time
// (worker/kernels/core-share.ts). On a GPU: one trial per device
// the trials can be spread over. A trainer does not pick its device (Dawn hands out the
// high-performance adapter, TensorFlow places ops on /gpu:0), so every trial lands on the first
// GPU whatever the count: one trial at a time, until trainers are pinned to a device each.
// The user's `concurrency` overrides both.
import { availableParallelism } from 'node:os';
import type { GpuProbe } from './gpu.js';

export function kernelThreads(cores: number, env: string | undefined): number {
  const n = Number(env);
  if (Number.isInteger(n) && n >= 1) return Math.min(n, 16);
  return Math.max(1, Math.min(8, cores));
}

/** One trial per GPU the trials can be spread over: all of them once trainers are `pinned` to a device each, else one. */
export function gpuConcurrency(gpu: GpuProbe, pinned = false): number {
  return pinned ? Math.max(1, gpu.devices) : 1;
}

export function defaultConcurrency(
  cores = availableParallelism(),
  env = process.env.RNN_KERNEL_THREADS,
  gpu: GpuProbe | null = null,
): number {
  if (gpu) return gpuConcurrency(gpu);
  return Math.max(1, Math.floor(cores / kernelThreads(cores, env)));
}
