// Generated series for the forecasting building blocks' tests (seeded, so every run is the same).

/** Mulberry32: a small seeded generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller). */
export function normal(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());
}

export interface Shape {
  n: number;
  level?: number;
  slope?: number;
  /** Season length and amplitude (additive sine + a sharper harmonic). */
  m?: number;
  amp?: number;
  noise?: number;
  seed?: number;
  /** Random walk instead of white noise. */
  walk?: boolean;
}

export function series(s: Shape): Float64Array {
  const z = normal(s.seed ?? 1);
  const y = new Float64Array(s.n);
  let w = 0;
  for (let t = 0; t < s.n; t++) {
    const season = s.m
      ? (s.amp ?? 1) * (Math.sin((2 * Math.PI * t) / s.m) + 0.5 * Math.cos((4 * Math.PI * t) / s.m))
      : 0;
    const e = (s.noise ?? 0.1) * z();
    w += e;
    y[t] = (s.level ?? 10) + (s.slope ?? 0) * t + season + (s.walk ? w : e);
  }
  return y;
}
