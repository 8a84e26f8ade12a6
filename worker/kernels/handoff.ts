// How the kernel's threads wait for each other (wasm.ts collect, engine-src.ts WORKER_JS): spin a
// while, then sleep in Atomics.wait.
//
// A training step hands work between the threads twice per RNN layer within a few milliseconds. A
// thread that slept is woken late (a futex wake-up, tens of microseconds here), and the scheduler
// tends to place it on the waking thread's own core until it moves one of them, so the two share a
// core for part of the call: that cost the small shapes most of their second thread (SimpleRNN
// 64, batch 64: 2 threads 1.16× one; README.md, "Spinning before sleeping"). Spinning is
// bounded, so an idle pool sleeps 2 ms after its last call; a trainer with one thread starts no
// threads to spin; and no thread spins while the load average is above the cores (several
// trainers, other work). RNN_KERNEL_SPIN_US sets the spin (0: sleep at once, as before).
import { availableParallelism, loadavg } from 'node:os';

/** The spin in effect, in microseconds, shared with every worker thread (workerData `spin`). */
export const spin = new Int32Array(new SharedArrayBuffer(4));
/** The spin asked for (RNN_KERNEL_SPIN_US, setKernelSpinMicros); `spin` holds 0 while the machine is oversubscribed. */
let configured = spinFromEnv();
let checkedAt = -Infinity;
/** False when a benchmark pins the spin (setKernelSpinMicros(us, false)): the load is then not read. */
let followLoad = true;
Atomics.store(spin, 0, configured);

function spinFromEnv(): number {
  const env = Number(process.env.RNN_KERNEL_SPIN_US);
  return Number.isInteger(env) && env >= 0 ? Math.min(env, 1_000_000) : 2000;
}

/**
 * The spin to use: none while the machine's load average is above its cores (another trainer, a
 * build), where a spinning thread would hold a core another process is waiting for; else the
 * configured one. A trainer's own spinning threads count one each, which stays within the cores
 * when trainers share the machine as a study schedules them (core/study/concurrency.ts).
 */
export function effectiveSpin(configuredMicros: number, load: number, cores: number): number {
  return load > cores + 0.5 ? 0 : configuredMicros;
}

/** Re-reads the load (at most once a second; the main thread calls it at each kernel call). */
export function refreshSpin(now = Date.now()): void {
  if (!followLoad || now - checkedAt < 1000) return;
  checkedAt = now;
  Atomics.store(spin, 0, effectiveSpin(configured, loadavg()[0]!, availableParallelism()));
}

/**
 * Sets the spin before sleeping, in microseconds, for this process's kernel threads (benchmarks,
 * tests); `load: false` pins it, whatever the load average (an A/B benchmark on a busy machine).
 */
export function setKernelSpinMicros(us: number, load = true): void {
  configured = Math.max(0, Math.min(1_000_000, Math.round(us)));
  followLoad = load;
  Atomics.store(spin, 0, configured);
  checkedAt = Date.now();
}

/** The spin asked for, in microseconds (the one in effect is 0 while the machine is oversubscribed). */
export function kernelSpinMicros(): number {
  return configured;
}

/** Spins until a[i] is no longer `seen` or the spin time is over; true when it moved. */
export function spinUntilMoved(a: Int32Array, i: number, seen: number): boolean {
  const until = performance.now() + Atomics.load(spin, 0) / 1000;
  for (let k = 1; Atomics.load(a, i) === seen; k++) if ((k & 1023) === 0 && performance.now() > until) return false;
  return true;
}
