// How many trials a study trains at once by default: the cores over the threads one trainer's
// fused kernels use (worker/kernels/wasm.ts kernelThreadCount: RNN_KERNEL_THREADS, else the
// cores, at most 8), so two trials never fight over the same cores. Repeated here because core/
// does not import worker modules; the rule is the kernels'.
import { availableParallelism } from 'node:os';

export function kernelThreads(cores: number, env: string | undefined): number {
  const n = Number(env);
  if (Number.isInteger(n) && n >= 1) return Math.min(n, 16);
  return Math.max(1, Math.min(8, cores));
}

export function defaultConcurrency(cores = availableParallelism(), env = process.env.RNN_KERNEL_THREADS): number {
  return Math.max(1, Math.floor(cores / kernelThreads(cores, env)));
}
