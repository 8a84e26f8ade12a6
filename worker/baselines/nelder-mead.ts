// Derivative-free minimisation for the ETS likelihood. Parameters are mapped to an unconstrained
// space by the caller, so plain Nelder-Mead (Lagarias et al. coefficients) is enough here.

export interface NelderMeadResult {
  x: Float64Array;
  value: number;
  evaluations: number;
}

export interface NelderMeadOptions {
  /** Initial step per coordinate (default 0.5). */
  step?: number;
  maxEvaluations?: number;
  /** Stop when the simplex values differ by less than this (absolute + relative to the best). */
  tolerance?: number;
}

export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  opts: NelderMeadOptions = {},
): NelderMeadResult {
  const d = x0.length;
  const step = opts.step ?? 0.5;
  const maxEval = opts.maxEvaluations ?? 200 * (d + 1);
  const tol = opts.tolerance ?? 1e-10;
  let evals = 0;
  const value = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const pts: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(x0);
    p[i] = p[i]! + step;
    pts.push(p);
  }
  const vals = pts.map(value);
  const order = pts.map((_, i) => i);
  const centroid = new Float64Array(d);
  const along = (t: number): Float64Array => {
    const worst = pts[order[d]!]!;
    const p = new Float64Array(d);
    for (let j = 0; j < d; j++) p[j] = centroid[j]! + t * (worst[j]! - centroid[j]!);
    return p;
  };
  while (evals < maxEval) {
    order.sort((a, b) => vals[a]! - vals[b]!);
    const best = vals[order[0]!]!;
    const worstV = vals[order[d]!]!;
    if (Math.abs(worstV - best) <= tol * (1 + Math.abs(best))) break;
    centroid.fill(0);
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) centroid[j] = centroid[j]! + pts[order[k]!]![j]! / d;
    const r = along(-1);
    const vr = value(r);
    const w = order[d]!;
    if (vr < best) {
      const e = along(-2);
      const ve = value(e);
      [pts[w], vals[w]] = ve < vr ? [e, ve] : [r, vr];
    } else if (vr < vals[order[d - 1]!]!) {
      [pts[w], vals[w]] = [r, vr];
    } else {
      const c = vr < worstV ? along(-0.5) : along(0.5);
      const vc = value(c);
      if (vc < Math.min(vr, worstV)) {
        [pts[w], vals[w]] = [c, vc];
      } else {
        // Shrink towards the best point.
        const b = pts[order[0]!]!;
        for (let k = 1; k <= d; k++) {
          const i = order[k]!;
          const p = pts[i]!;
          for (let j = 0; j < d; j++) p[j] = b[j]! + 0.5 * (p[j]! - b[j]!);
          vals[i] = value(p);
        }
      }
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if (vals[i]! < vals[bi]!) bi = i;
  return { x: pts[bi]!, value: vals[bi]!, evaluations: evals };
}
