// Grid search: each path's values (a list as given; an int range every whole number or `steps`
// evenly spaced ones; a float range `steps` points, log-spaced for log ranges), and configuration
// k of the grid as the k-th point of their product (the first path varies slowest).
import { ServiceError } from '../contract.js';
import type { ParamDomain, SearchSpace } from '../study-schemas.js';
import type { Config } from './space.js';

const MAX_AXIS = 1000;
export const MAX_GRID = 100_000;

/** The values a grid takes along one path. */
export function gridAxis(path: string, d: ParamDomain): unknown[] {
  if (Array.isArray(d)) return d;
  if ('int' in d && d.steps === undefined) {
    const [lo, hi] = d.int;
    if (hi - lo + 1 > MAX_AXIS)
      throw new ServiceError(
        'bad_input',
        `space["${path}"]: ${hi - lo + 1} values are too many for a grid; give "steps"`,
        'space',
      );
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  if (d.steps === undefined)
    throw new ServiceError(
      'bad_input',
      `space["${path}"]: a grid over a float range needs "steps" (points along it)`,
      'space',
    );
  const [lo, hi] = 'int' in d ? d.int : d.float;
  const pts = Array.from({ length: d.steps }, (_, i) => {
    const t = i / (d.steps! - 1);
    return d.log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
  });
  return 'int' in d ? [...new Set(pts.map((p) => Math.round(p)))] : pts;
}

/** How many configurations the grid holds. */
export function gridSize(space: SearchSpace): number {
  const n = Object.entries(space).reduce((acc, [p, d]) => acc * gridAxis(p, d).length, 1);
  if (n > MAX_GRID)
    throw new ServiceError('bad_input', `space: the grid holds ${n} configurations, more than ${MAX_GRID}`, 'space');
  return n;
}

/** Configuration k of the grid (mixed radix over the paths in the order the space lists them). */
export function gridConfig(space: SearchSpace, k: number): Config {
  const entries = Object.entries(space).map(([p, d]) => [p, gridAxis(p, d)] as const);
  const config: Config = {};
  let rest = k;
  for (let i = entries.length - 1; i >= 0; i--) {
    const [p, axis] = entries[i]!;
    config[p] = axis[rest % axis.length];
    rest = Math.floor(rest / axis.length);
  }
  return Object.fromEntries(entries.map(([p]) => [p, config[p]]));
}
