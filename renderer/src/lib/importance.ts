// Parameter importance of a study: how strongly each searched parameter goes with the objective,
// by rank (Spearman) correlation for numeric parameters and by the correlation ratio of the
// objective's ranks for categorical ones. Cheap, model-free and readable ("larger units → lower
// loss"), which is what a user needs to narrow the next search; not an fANOVA.

/** Ranks 1..n, ties sharing the average of their ranks (the Spearman convention). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = avg;
    i = j + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // A constant column says nothing about the objective.
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation in [-1, 1]; null under 2 pairs or when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('spearman: x and y differ in length');
  return pearson(ranks(x), ranks(y));
}

/** Correlation ratio η in [0, 1] of y's ranks over the groups of a categorical x. */
export function correlationRatio(x: readonly string[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('correlationRatio: x and y differ in length');
  if (x.length < 2) return null;
  const r = ranks(y);
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const groups = new Map<string, number[]>();
  x.forEach((k, i) => groups.set(k, [...(groups.get(k) ?? []), r[i]!]));
  if (groups.size < 2) return null;
  let between = 0;
  for (const g of groups.values()) {
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    between += g.length * (m - mean) ** 2;
  }
  const total = r.reduce((a, v) => a + (v - mean) ** 2, 0);
  return total === 0 ? null : Math.sqrt(between / total);
}

export interface Importance {
  param: string;
  /** |ρ| or η: how strongly the parameter goes with the objective, 0..1. */
  score: number;
  /** Numeric parameters: Spearman's ρ with its sign (negative: larger values, smaller objective). */
  rho: number | null;
  kind: 'numeric' | 'categorical';
  n: number;
}

/**
 * Importance of every parameter over the trials that have an objective value, strongest first.
 * A parameter is numeric when every value it took is a finite number; anything else (cells, layer
 * lists) is categorical by its JSON text.
 */
export function paramImportance(
  trials: readonly { params: Record<string, unknown>; value: number | null }[],
  params: readonly string[],
): Importance[] {
  const done = trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  const y = done.map((t) => t.value!);
  const out: Importance[] = [];
  for (const param of params) {
    const raw = done.map((t) => t.params[param]);
    const numeric = raw.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (numeric) {
      const rho = spearman(raw as number[], y);
      out.push({ param, score: rho === null ? 0 : Math.abs(rho), rho, kind: 'numeric', n: done.length });
    } else {
      const eta = correlationRatio(
        raw.map((v) => JSON.stringify(v)),
        y,
      );
      out.push({ param, score: eta ?? 0, rho: null, kind: 'categorical', n: done.length });
    }
  }
  return out.sort((a, b) => b.score - a.score || a.param.localeCompare(b.param));
}
