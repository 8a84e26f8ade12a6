// A search space over RunSpec paths: checking it against the base spec before a study is stored
// (every path a field, every value a valid one, errors naming the path), applying one sampled
// configuration to the base spec, and the configuration hash that groups a configuration's seeds.
import { createHash } from 'node:crypto';
import { ServiceError, describeZodError, type RunSpec } from '../contract.js';
import { RunSpecSchema } from '../spec.js';
import type { ParamDomain, SearchSpace } from '../study-schemas.js';

/** One configuration: space path → value. */
export type Config = Record<string, unknown>;

export const LAYER_COUNT = 'model.layers.length';
const WILDCARD = /^model\.layers\.\*\.(.+)$/;

export const isRange = (d: ParamDomain): d is Exclude<ParamDomain, unknown[]> => !Array.isArray(d);

/** Applies a configuration to a (defaulted) spec: the layer count first, then every-layer paths, then the rest. */
export function applyConfig(base: RunSpec, config: Config): RunSpec {
  const spec = structuredClone(base) as unknown as Record<string, unknown>;
  const order = (p: string) => (p === LAYER_COUNT ? 0 : WILDCARD.test(p) ? 1 : 2);
  for (const path of Object.keys(config).sort((a, b) => order(a) - order(b))) {
    const value = config[path];
    if (path === LAYER_COUNT) setLayerCount(spec, value, path);
    else if (WILDCARD.test(path)) {
      const layers = (spec.model as { layers: Record<string, unknown>[] }).layers;
      layers.forEach((_, i) => setPath(spec, path.replace('*', String(i)), value, path));
    } else setPath(spec, path, value, path);
  }
  const parsed = RunSpecSchema.safeParse(spec);
  if (!parsed.success) throw new ServiceError('bad_input', describeZodError(parsed.error).message, 'space');
  return parsed.data;
}

function setLayerCount(spec: Record<string, unknown>, value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 8)
    throw new ServiceError(
      'bad_input',
      `space["${path}"]: a layer count is a whole number 1..8, got ${JSON.stringify(value)}`,
      'space',
    );
  const model = spec.model as { layers: unknown[] };
  const first = model.layers[0];
  model.layers = Array.from({ length: value }, (_, i) => structuredClone(model.layers[i] ?? first));
}

/** Sets a dotted path on an object; only fields the (defaulted) spec already has, so a typo is named, not stored. */
function setPath(spec: Record<string, unknown>, path: string, value: unknown, shown: string): void {
  const keys = path.split('.');
  let node: unknown = spec;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const where = keys.slice(0, i + 1).join('.');
    if (node === null || typeof node !== 'object')
      throw new ServiceError(
        'bad_input',
        `space["${shown}"]: ${keys.slice(0, i).join('.')} is not an object or a list`,
        'space',
      );
    const container = node as Record<string, unknown>;
    const last = i === keys.length - 1;
    if (Array.isArray(node)) {
      const idx = Number(key);
      if (!/^\d+$/.test(key) || idx >= node.length)
        throw new ServiceError(
          'bad_input',
          `space["${shown}"]: ${where} is beyond the ${node.length} item(s) of the base spec (for layers, add "${LAYER_COUNT}" or more layers to base)`,
          'space',
        );
    } else if (!(key in container) && !(last && OPTIONAL_FIELDS.has(where))) {
      throw new ServiceError(
        'bad_input',
        `space["${shown}"]: ${where} is not a RunSpec field (docs/runspec.md)`,
        'space',
      );
    }
    if (last) container[key] = value;
    else node = container[key];
  }
}

/** Spec fields without a default: a space may set them although the defaulted base lacks them. */
const OPTIONAL_FIELDS = new Set(['seasonLength', 'features', 'series', 'time']);

/** The values a domain's check tries: every listed value, a range's two ends. */
function probeValues(d: ParamDomain): unknown[] {
  if (Array.isArray(d)) return d;
  const [lo, hi] = 'float' in d ? d.float : d.int;
  return [lo, hi];
}

/**
 * Checks a space against the base spec: each path exists, each range is ordered (and positive when
 * log), and each probed value gives a valid spec. Errors name the path: `space["model.cel"]: ...`.
 */
export function checkSpace(base: RunSpec, space: SearchSpace): void {
  const paths = Object.keys(space);
  if (paths.length === 0)
    throw new ServiceError('bad_input', 'space: name at least one RunSpec path to search', 'space');
  const layerMax = space[LAYER_COUNT] ? Math.max(...(probeValues(space[LAYER_COUNT]) as number[])) : undefined;
  for (const path of paths) {
    const d = space[path]!;
    if (isRange(d)) {
      const [lo, hi] = 'float' in d ? d.float : d.int;
      if (!(lo <= hi))
        throw new ServiceError('bad_input', `space["${path}"]: the range [${lo}, ${hi}] is reversed`, 'space');
      if (d.log && lo <= 0)
        throw new ServiceError(
          'bad_input',
          `space["${path}"]: a log range must be positive, got [${lo}, ${hi}]`,
          'space',
        );
    }
    for (const v of probeValues(d)) {
      const config: Config = { [path]: v };
      if (layerMax !== undefined && path !== LAYER_COUNT) config[LAYER_COUNT] = layerMax;
      try {
        applyConfig(base, config);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new ServiceError(
          'bad_input',
          msg.startsWith('space[') ? msg : `space["${path}"] = ${JSON.stringify(v)}: ${msg}`,
          'space',
        );
      }
    }
  }
}

/** Same configuration → same hash (keys sorted), whatever the seed: the seeds of one configuration share it. */
export function configHash(config: Config): string {
  const canonical = JSON.stringify(
    Object.keys(config)
      .sort()
      .map((k) => [k, config[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
