// Dropout for the fused training step (step.ts): the Dropout layers the model builder puts after
// each RNN layer, as inverted dropout with TF.js's arithmetic (keep where u + keep ≥ 1 in float32,
// kept values × float32(1 / keep)), so the expectation is TF.js's. The uniforms differ on purpose:
// a TF.js Dropout layer with a seed draws the same mask at every batch (its randomUniform restarts
// from the seed at each call), while this draws a fresh mask per batch from (seed, layer, optimizer
// step): deterministic for a seed, the same after a resume (the step count is checkpointed).
import { Rng } from '../util/random.js';

/** n uniforms in [0, 1) for the mask of dropout layer `layer` at optimizer step `iteration`. */
export type MaskUniforms = (layer: number, n: number, iteration: number) => ArrayLike<number>;

/** Where the uniforms of dropout layer `layer` at optimizer step `iteration` start: a mulberry32 state (util/random.ts). */
export function maskStreamStart(seed: number, layer: number, iteration: number): number {
  const mix = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b);
  return (mix ^ Math.imul(layer + 1, 0xc2b2ae35)) >>> 0;
}

/** The default: a fresh seeded mask per batch. Carries its seeds, so step.ts can draw its masks directly (drawSeededMask). */
export function seededUniforms(seeds: number[]): MaskUniforms & { seeds: number[] } {
  const uniforms: MaskUniforms = (layer, n, iteration) => {
    const rng = new Rng(maskStreamStart(seeds[layer] ?? 0, layer, iteration));
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) u[i] = rng.next();
    return u;
  };
  return Object.assign(uniforms, { seeds });
}

/**
 * dropoutMask over seededUniforms' uniforms, drawn in one pass: mulberry32 inlined (its state adds
 * a constant per draw, so the run may start at any stream position `from`), without the array of
 * uniforms, and dropoutMask's rule as u + keep ≥ 1 in float32. The same bits (step-dropout.test.ts).
 * The two passes took 12.8 ns an element, 630 µs a batch for the first of two GRU 64 layers at
 * batch 32, 24 steps, on the main thread before the batch is handed out; this takes 5.9.
 */
export function drawSeededMask(mask: Float32Array, start: number, rate: number, from = 0): void {
  const keep = Math.fround(1 - rate);
  const scale = Math.fround(1 / keep);
  let s = (start + Math.imul(from, 0x6d2b79f5)) | 0;
  for (let k = 0; k < mask.length; k++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = Math.fround(((t ^ (t >>> 14)) >>> 0) * 2.3283064365386963e-10); // / 2^32, exactly
    mask[k] = Math.fround(u + keep) >= 1 ? scale : 0;
  }
}

/** The mask for rate `rate` from uniforms u, written into `mask`: 0 or float32(1/keep). */
export function dropoutMask(mask: Float32Array, u: ArrayLike<number>, rate: number): void {
  const keep = Math.fround(1 - rate);
  const scale = Math.fround(1 / keep);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.floor(Math.fround(u[i]! + keep)) === 0 ? 0 : scale;
}

/**
 * The mask for rate `rate` from uniforms u, written into `mask` (0 or float32(1/keep)), and
 * applied to x in place: x ⊙ mask. The backward pass multiplies the incoming gradient by the same mask.
 */
export function applyDropout(x: Float32Array, mask: Float32Array, u: ArrayLike<number>, rate: number): void {
  dropoutMask(mask, u, rate);
  maskGradient(x, mask);
}

/** dy ⊙ mask, in place (x ⊙ mask in the forward: the same product, rows-src.ts computes it so too). */
export function maskGradient(dy: Float32Array, mask: Float32Array): void {
  for (let i = 0; i < dy.length; i++) dy[i] = dy[i]! * mask[i]!;
}

/** Layer `layer`'s mask at optimizer step `iteration` into `mask`: drawn directly from the default uniforms, else from `uniforms`. */
export function fillMask(
  mask: Float32Array,
  uniforms: MaskUniforms,
  layer: number,
  iteration: number,
  rate: number,
): void {
  const seeds = (uniforms as { seeds?: number[] }).seeds;
  if (seeds) drawSeededMask(mask, maskStreamStart(seeds[layer] ?? 0, layer, iteration), rate);
  else dropoutMask(mask, uniforms(layer, mask.length, iteration), rate);
}
