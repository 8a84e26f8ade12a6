// Seeded sampling: a small PRNG (mulberry32) keyed by (study seed, configuration index), so
// configuration k of a study is the same on every host and after every resume, and the values a
// domain gives (uniform, log-uniform, whole numbers, one of a list).
import type { ParamDomain } from '../study-schemas.js';
import { isRange } from './space.js';

import { mulberry32, type Rng } from '../random.js';

export { mulberry32, type Rng };

/** A generator for (seed, index, stream): independent streams per configuration and purpose. */
export function rngFor(seed: number, index: number, stream = 0): Rng {
  let h = 2166136261 ^ seed;
  for (const v of [index, stream]) {
    h = Math.imul(h ^ (v & 0xffff), 16777619);
    h = Math.imul(h ^ (v >>> 16), 16777619);
  }
  return mulberry32(h);
}

/** Bounds of a range in the space it is sampled in (log for log ranges); ints widen by half a step each side. */
export function rangeBounds(d: Exclude<ParamDomain, unknown[]>): {
  lo: number;
  hi: number;
  log: boolean;
  int: boolean;
} {
  const int = 'int' in d;
  const [a, b] = int ? d.int : d.float;
  const lo = int ? a - 0.5 : a;
  const hi = int ? b + 0.5 : b;
  return d.log
    ? { lo: Math.log(Math.max(lo, a * 0.5)), hi: Math.log(hi), log: true, int }
    : { lo, hi, log: false, int };
}

/** Maps a point of the sampling space back to a domain value (exp for log; rounded and clamped for ints). */
export function fromUnit(d: Exclude<ParamDomain, unknown[]>, x: number): number {
  const { log, int } = rangeBounds(d);
  const v = log ? Math.exp(x) : x;
  if (!int) {
    const [lo, hi] = (d as { float: [number, number] }).float;
    return Math.min(hi, Math.max(lo, v));
  }
  const [lo, hi] = (d as { int: [number, number] }).int;
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/** A value of a domain drawn from the generator. */
export function sampleDomain(d: ParamDomain, rng: Rng): unknown {
  if (!isRange(d)) return d[Math.floor(rng() * d.length)];
  const { lo, hi } = rangeBounds(d);
  return fromUnit(d, lo + rng() * (hi - lo));
}
