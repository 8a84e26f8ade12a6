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
 * uniforms. dropoutMask's rule, u + keep ≥ 1 in float32 with u = float32(v / 2^32) for mulberry32's
 * 32-bit output v, holds from a least v on (both roundings and the sum are monotonic in v), so the
 * loop compares v with that threshold (keptFrom) and multiplies instead of branching: the same
 * bits, 2.5 ns an element against 6.3 with the float rule and a branch (a random mask mispredicts
 * it). Kept as source text: the split step's worker threads (rows-src.ts) draw their own rows'
 * masks with this same code, so a mask is the same bits whichever thread drew it
 * (step-dropout.test.ts, split-step.test.ts).
 */
export const MASK_JS = String.raw`
function keptFrom(keep) {
  let lo = 0, hi = 4294967296;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (Math.fround(Math.fround(mid * 2.3283064365386963e-10) + keep) >= 1) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
function drawMask(mask, start, keep, from) {
  const scale = Math.fround(1 / keep);
  // v >= threshold as int32 compares: both sides with the sign bit flipped.
  const K = (keptFrom(keep) - 2147483648) | 0;
  let s = (start + Math.imul(from, 0x6d2b79f5)) | 0;
  for (let k = 0; k < mask.length; k++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    mask[k] = scale * +((t ^ (t >>> 14) ^ -2147483648) >= K);
  }
}
`;
const mask = new Function(`${MASK_JS}; return { drawMask, keptFrom };`)() as {
  drawMask(mask: Float32Array, start: number, keep: number, from: number): void;
  keptFrom(keep: number): number;
};
const drawMask = mask.drawMask;
/** The least 32-bit mulberry32 output that the keep threshold `keep` keeps (MASK_JS; tests check it). */
export const keptFrom = mask.keptFrom;

/** float32(1 - rate): the keep rule's threshold, as TF.js computes it. */
export const keepOf = (rate: number): number => Math.fround(1 - rate);

/** MASK_JS's drawMask for dropout rate `rate`, from stream position `from`. */
export function drawSeededMask(mask: Float32Array, start: number, rate: number, from = 0): void {
  drawMask(mask, start, keepOf(rate), from);
}

/** The mask for rate `rate` from uniforms u, written into `mask`: 0 or float32(1/keep). */
export function dropoutMask(mask: Float32Array, u: ArrayLike<number>, rate: number): void {
  const keep = keepOf(rate);
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

/** Where layer `layer`'s default mask at optimizer step `iteration` starts (maskStreamStart); null: uniforms other than the default. */
export function seededStart(uniforms: MaskUniforms, layer: number, iteration: number): number | null {
  const seeds = (uniforms as { seeds?: number[] }).seeds;
  return seeds ? maskStreamStart(seeds[layer] ?? 0, layer, iteration) : null;
}

/** Layer `layer`'s mask at optimizer step `iteration` into `mask`: drawn directly from the default uniforms, else from `uniforms`. */
export function fillMask(
  mask: Float32Array,
  uniforms: MaskUniforms,
  layer: number,
  iteration: number,
  rate: number,
): void {
  const start = seededStart(uniforms, layer, iteration);
  if (start !== null) drawSeededMask(mask, start, rate);
  else dropoutMask(mask, uniforms(layer, mask.length, iteration), rate);
}

/**
 * The dropout after an RNN layer for one batch of the split step (split-step.ts): where its mask
 * goes ([B, the layer's outputs per row]) and the stream it is drawn from (maskStreamStart), each
 * thread its rows'; start null: the whole mask is drawn already (uniforms other than the default).
 */
export interface SplitMask {
  mask: Float32Array;
  start: number | null;
}

/** A fused step's dropout masks, one after each RNN layer (rate 0: none), reused batch to batch. */
export class StepMasks {
  private readonly masks: Float32Array[] = [];

  constructor(private readonly rates: number[]) {}

  /** Layer i's mask over the batch's n outputs at optimizer step `iteration`; null: no dropout after it. */
  whole(i: number, n: number, uniforms: MaskUniforms, iteration: number): Float32Array | null {
    const rate = this.rates[i]!;
    if (!(rate > 0)) return null;
    const m = this.buffer(i, n);
    fillMask(m, uniforms, i, iteration, rate);
    return m;
  }

  /** The same for the split step: drawn there by each thread for its rows, but for other uniforms. */
  split(i: number, n: number, uniforms: MaskUniforms, iteration: number): SplitMask | null {
    if (!(this.rates[i]! > 0)) return null;
    const start = seededStart(uniforms, i, iteration);
    return { mask: start === null ? this.whole(i, n, uniforms, iteration)! : this.buffer(i, n), start };
  }

  /** Layer i's mask of the batch in flight (whole's), for the backward; null: no dropout after it. */
  inFlight(i: number): Float32Array | null {
    return this.rates[i]! > 0 ? this.masks[i]! : null;
  }

  private buffer(i: number, n: number): Float32Array {
    if (this.masks[i]?.length !== n) this.masks[i] = new Float32Array(n);
    return this.masks[i]!;
  }
}
