// Dropout for the fused training step (step.ts): the Dropout layers the model builder puts after
// each RNN layer, as inverted dropout with TF.js's arithmetic (keep where u + keep ≥ 1 in float32,
// kept values × float32(1 / keep)), so the expectation is TF.js's. The uniforms differ on purpose:
// a TF.js Dropout layer with a seed draws the same mask at every batch (its randomUniform restarts
// from the seed at each call), while this draws a fresh mask per batch from (seed, layer, optimizer
// step): deterministic for a seed, the same after a resume (the step count is checkpointed).
import { Rng } from '../util/random.js';

/** n uniforms in [0, 1) for the mask of dropout layer `layer` at optimizer step `iteration`. */
export type MaskUniforms = (layer: number, n: number, iteration: number) => ArrayLike<number>;

/** The default: a fresh seeded mask per batch. */
export function seededUniforms(seeds: number[]): MaskUniforms {
  return (layer, n, iteration) => {
    const mix = Math.imul((seeds[layer] ?? 0) ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b);
    const rng = new Rng(mix ^ Math.imul(layer + 1, 0xc2b2ae35));
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) u[i] = rng.next();
    return u;
  };
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
