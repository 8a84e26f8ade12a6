// A Tree-structured Parzen Estimator (Bergstra et al. 2011), per parameter as in Optuna's default
// (independent, no multivariate kernel): the trials with a value are split into the best quarter
// (good) and the rest (bad); each parameter's next value is the candidate, among 24 drawn from the
// good density l(x), with the largest l(x)/g(x). Ranges use Gaussian kernels (in log space for log
// ranges) with a uniform prior; lists use smoothed counts. Until `startup` trials have values the
// configuration is random. Deterministic: the same history and seed give the same configuration.
import type { ParamDomain, SearchSpace } from '../study-schemas.js';
import { fromUnit, rangeBounds, rngFor, sampleDomain, type Rng } from './random.js';
import { isRange, type Config } from './space.js';

export interface Observation {
  config: Config;
  value: number;
}

const CANDIDATES = 24;
export const GAMMA = 0.25;

export function startupTrials(planned: number | null): number {
  return Math.max(4, Math.min(10, Math.ceil((planned ?? 40) * 0.25)));
}

export function tpeConfig(
  space: SearchSpace,
  history: readonly Observation[],
  opts: { seed: number; index: number; direction: 'min' | 'max'; startup: number },
): Config {
  const rng = rngFor(opts.seed, opts.index, 1);
  if (history.length < opts.startup)
    return Object.fromEntries(Object.entries(space).map(([p, d]) => [p, sampleDomain(d, rng)]));
  const sorted = [...history].sort((a, b) => (opts.direction === 'min' ? a.value - b.value : b.value - a.value));
  const nGood = Math.max(1, Math.ceil(GAMMA * sorted.length));
  const good = sorted.slice(0, nGood).map((o) => o.config);
  const bad = sorted.slice(nGood).map((o) => o.config);
  return Object.fromEntries(
    Object.entries(space).map(([p, d]) => [
      p,
      suggest(
        d,
        good.map((c) => c[p]),
        bad.map((c) => c[p]),
        rng,
      ),
    ]),
  );
}

function suggest(d: ParamDomain, good: unknown[], bad: unknown[], rng: Rng): unknown {
  return isRange(d) ? suggestRange(d, good as number[], bad as number[], rng) : suggestChoice(d, good, bad, rng);
}

function suggestChoice(choices: unknown[], good: unknown[], bad: unknown[], rng: Rng): unknown {
  const keys = choices.map((c) => JSON.stringify(c));
  const density = (obs: unknown[]) => {
    const counts = keys.map((k) => 1 + obs.filter((o) => JSON.stringify(o) === k).length);
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => c / total);
  };
  const l = density(good);
  const g = density(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < CANDIDATES; i++) {
    let u = rng();
    let c = 0;
    while (c < l.length - 1 && u >= l[c]!) u -= l[c++]!;
    const score = Math.log(l[c]!) - Math.log(g[c]!);
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  return choices[best];
}

/** A Parzen density in the sampling space: a Gaussian per observation plus a uniform prior (weight of one observation). */
function parzen(points: number[], lo: number, hi: number): { pdf: (x: number) => number; sigma: number } {
  const width = hi - lo || 1;
  const sigma = Math.max(width / 20, width / Math.sqrt(1 + points.length) / 2);
  const w = 1 / (points.length + 1);
  const gauss = (x: number, m: number) => Math.exp(-0.5 * ((x - m) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  return { pdf: (x) => w / width + w * points.reduce((s, m) => s + gauss(x, m), 0), sigma };
}

function suggestRange(d: Exclude<ParamDomain, unknown[]>, good: number[], bad: number[], rng: Rng): number {
  const { lo, hi, log } = rangeBounds(d);
  const toSpace = (v: number) => (log ? Math.log(v) : v);
  const gPts = good.filter(Number.isFinite).map(toSpace);
  const l = parzen(gPts, lo, hi);
  const g = parzen(bad.filter(Number.isFinite).map(toSpace), lo, hi);
  let best = lo + rng() * (hi - lo);
  let bestScore = -Infinity;
  for (let i = 0; i < CANDIDATES; i++) {
    // Draw from l: the prior with its weight, else a kernel around a good point (Box-Muller).
    const pick = Math.floor(rng() * (gPts.length + 1));
    const normal = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const raw = pick === gPts.length ? lo + rng() * (hi - lo) : gPts[pick]! + l.sigma * normal;
    const x = Math.min(hi, Math.max(lo, raw));
    const score = Math.log(l.pdf(x)) - Math.log(g.pdf(x));
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return fromUnit(d, best);
}
