// One seeded PRNG for everything outside the trainer's checkpointed shuffle (worker/util/random.ts
// keeps its state in a class so checkpoints can store it): study sampling, the GPU trainer's
// initial weights.

export type Rng = () => number;

/** mulberry32: 32-bit state, uniform in [0, 1); the same seed gives the same sequence on every host. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
