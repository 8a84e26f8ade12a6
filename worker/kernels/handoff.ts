// How the kernel's threads wait for each other (wasm.ts collect, engine-src.ts WORKER_JS): spin a
// while, then sleep in Atomics.wait.
//
// A training step hands work between the threads twice per RNN layer within a few milliseconds. A
// thread that slept is woken late (a futex wake-up, tens of microseconds here), and the scheduler
// tends to place it on the waking thread's own core until it moves one of them, so the two share a
// core for part of the call: that cost the small shapes most of their second thread (SimpleRNN
// 64, batch 64: 2 threads 1.16× one; README.md, "Spinning before sleeping"). Spinning is
// bounded, so an idle pool sleeps 2 ms after its last call, and a trainer with one thread starts no
// threads to spin. RNN_KERNEL_SPIN_US sets the spin (0: sleep at once, as before).

/** The spin before sleeping in microseconds, shared with every worker thread (workerData `spin`). */
export const spin = new Int32Array(new SharedArrayBuffer(4));
Atomics.store(spin, 0, spinFromEnv());

function spinFromEnv(): number {
  const env = Number(process.env.RNN_KERNEL_SPIN_US);
  return Number.isInteger(env) && env >= 0 ? Math.min(env, 1_000_000) : 2000;
}

/** Sets the spin before sleeping, in microseconds, for this process's kernel threads (benchmarks, tests). */
export function setKernelSpinMicros(us: number): void {
  Atomics.store(spin, 0, Math.max(0, Math.min(1_000_000, Math.round(us))));
}

/** The spin before sleeping, in microseconds. */
export function kernelSpinMicros(): number {
  return Atomics.load(spin, 0);
}

/** Spins until a[i] is no longer `seen` or the spin time is over; true when it moved. */
export function spinUntilMoved(a: Int32Array, i: number, seen: number): boolean {
  const until = performance.now() + Atomics.load(spin, 0) / 1000;
  for (let k = 1; Atomics.load(a, i) === seen; k++) if ((k & 1023) === 0 && performance.now() > until) return false;
  return true;
}
