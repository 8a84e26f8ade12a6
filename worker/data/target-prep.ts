// The per-target transform and normalisation of a forecast run: resolved from the spec (`auto`
// decides from the train split alone), applied to the target columns before the network sees them,
// and undone exactly for metrics, stored predictions and exports. Target values live in three
// spaces: original units (raw), transformed (z = log/diff of raw) and model units (z globally
// scaled, then for `window` relative to the window's last observed value and divided by one
// window scale; for `season` each output step relative to the last value plus the change over the
// season before that step, so the network starts from a seasonal naive forecast moved to the
// current level, as `window` starts it from naive). A feature that
// is also a target gets the same model-unit values as its target (relative to the window's last value).
import { ServiceError } from '../../core/contract.js';
import type { SizedSpec } from '../../core/spec.js';
import { fitScaler, scale, unscale, type Scaler } from './scaler.js';
import { chooseReference, type SeasonReference } from './season-base.js';
import { chooseAutoTransform } from './stationarity.js';
import {
  fitWindowScale,
  forwardSeries,
  inverseForecast,
  transformProblem,
  type Normalize,
  type TransformSpec,
} from './transforms.js';
export { stepLevels } from './transforms.js';

export interface TargetPrep {
  transform: TransformSpec;
  normalize: Normalize;
  /** Model units of a window-normalised value: (scaled - level) / windowScale. 1 for global. */
  windowScale: number;
  /** `season` normalisation: the season length m (< lookback) the output steps are measured against. */
  season?: number;
  /** `season`: how many past seasons the reference averages over (season-base.ts; absent: 1). */
  seasons?: number;
  /** `season`: the reference the steps are measured from (season-base.ts; absent: `change`). */
  reference?: SeasonReference;
  /** `window`/`season`: the reference's linear correction per step (linear-reference.ts; absent: none). */
  linear?: number[][];
  /** One line for the run log: what was chosen and why. */
  reason: string;
}

/** The longest train segment: the one series the automatic choice is made on. */
function longest(segments: Float64Array[]): Float64Array {
  return segments.reduce((a, b) => (b.length > a.length ? b : a), segments[0] ?? new Float64Array(0));
}

/** Window-relative normalisation (inputs relative to the window's last value): `window` and `season`. */
export const windowed = (n: Normalize): boolean => n !== 'global';

/**
 * Transform and normalisation of one target from the spec, its train segments and all its values;
 * `season` is the run's season (1: none) and decides between `window` and `season` normalisation.
 */
export function resolveTargetPrep(
  spec: SizedSpec,
  name: string,
  train: Float64Array[],
  all: Float64Array[],
  isFeature: boolean,
  season = 1,
): Omit<TargetPrep, 'windowScale'> {
  const problem = (kind: TransformSpec['kind']) =>
    all.map((v) => transformProblem({ kind }, v)).find((p) => p !== null) ?? null;
  if (
    !isFeature &&
    ((spec.transform !== 'auto' && spec.transform !== 'none') ||
      spec.normalize === 'window' ||
      spec.normalize === 'season')
  ) {
    const field = spec.normalize === 'window' || spec.normalize === 'season' ? 'spec.normalize' : 'spec.transform';
    throw new ServiceError(
      'bad_input',
      `${field}: target "${name}" is not among the features; a transform or window normalisation needs its past values as inputs`,
      field,
    );
  }
  if (!isFeature)
    return {
      transform: { kind: 'none' },
      normalize: 'global',
      reason: `${name}: not an input feature → no transform, global scaling`,
    };
  const auto = chooseAutoTransform(longest(train));
  let kind: TransformSpec['kind'] = spec.transform === 'auto' ? auto.transform : spec.transform;
  let why = spec.transform === 'auto' ? auto.reason : `transform ${kind} from the spec`;
  const p = problem(kind);
  if (p && spec.transform !== 'auto')
    throw new ServiceError('bad_input', `spec.transform: column "${name}": ${p}`, 'spec.transform');
  if (p) {
    kind = 'none';
    why += `; but ${p} → no transform`;
  }
  // The reference of a step reaches back one season before the window's last value: lookback > m.
  const seasonal = season > 1 && spec.window.lookback > season;
  if (spec.normalize === 'season' && !seasonal) {
    const lack =
      season > 1
        ? `the lookback ${spec.window.lookback} is not longer than the season ${season}`
        : 'the run has no season (set spec.seasonLength or use a series with a confirmed season)';
    throw new ServiceError(
      'bad_input',
      `spec.normalize: season normalisation of "${name}" needs a season within the lookback, but ${lack}`,
      'spec.normalize',
    );
  }
  // An ensemble's first network is the global one; the trainer prepares the other member apart.
  const named = spec.normalize === 'ensemble' ? 'global' : spec.normalize;
  const normalize: Normalize = named === 'auto' ? autoNormalize(auto.normalize, seasonal) : named;
  if (spec.normalize === 'ensemble') why += '; normalisation global for the first network of the ensemble';
  else if (spec.normalize !== 'auto') why += `; normalisation ${normalize} from the spec`;
  else if (normalize === 'season')
    why += `; season ${season} within the lookback → each step relative to a seasonal reference (by default the last value plus the season-ago change: seasonal naive at the current level)`;
  const ref =
    normalize === 'season'
      ? chooseReference(forwardSeries({ kind }, longest(train)), season, spec.window.lookback)
      : null;
  if (ref) why += ref.why;
  return {
    transform: { kind },
    normalize,
    reason: `${name}: ${why}`,
    ...(ref
      ? { season, seasons: ref.seasons, ...(ref.reference !== 'change' ? { reference: ref.reference } : {}) }
      : {}),
  };
}

/**
 * What `auto` normalisation becomes: the stationarity choice, or `season` for a wandering level when
 * the run has a season the lookback covers. Measured on the real series of the forecast battery
 * (docs/benchmarks.md): on level-stationary seasonal series (El Niño, nottem, UKDriverDeaths)
 * global scaling stays better, so `season` replaces only `window`.
 */
function autoNormalize(byStationarity: Normalize, seasonal: boolean): Normalize {
  return seasonal && byStationarity === 'window' && AUTO_SEASON ? 'season' : byStationarity;
}

/** Whether `auto` picks `season` normalisation for a seasonal run (measured on the forecast battery: docs/benchmarks.md). */
export const AUTO_SEASON = true;

/** Fits the target's scaler on the transformed train segments and the window scale on the scaled ones. */
export function fitTargetScale(
  spec: SizedSpec,
  prep: Omit<TargetPrep, 'windowScale'>,
  zTrain: Float64Array[],
): { scaler: Scaler; windowScale: number } {
  const scaler = fitScaler(spec.scaling, zTrain);
  if (!windowed(prep.normalize)) return { scaler, windowScale: 1 };
  // Only the longest segment is measured: scale just that one.
  const z = longest(zTrain);
  const scaled = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) scaled[i] = scale(scaler, z[i]!);
  return { scaler, windowScale: fitWindowScale('shift', scaled, spec.window.lookback, spec.window.horizon) };
}

/** The level a window's inputs are expressed against: the last observed scaled target value of rows from..to-1 (0 if none). */
export function levelOf(
  prep: TargetPrep,
  scaled: ArrayLike<number>,
  stride: number,
  col: number,
  from: number,
  to: number,
): number {
  if (!windowed(prep.normalize)) return 0;
  for (let i = to - 1; i >= from; i--) {
    const v = scaled[i * stride + col]!;
    if (!Number.isNaN(v)) return v;
  }
  return 0;
}

/** Scaled → model units for one value of a window with this level. */
export const toModel = (prep: TargetPrep, s: number, level: number): number => (s - level) / prep.windowScale;

/**
 * Model outputs for steps 1..H of one target after an origin → original units: undo the window
 * normalisation (`levels` per step, from stepLevels), the scaler and the transform (`last` = the
 * original value at the origin).
 */
export function toOriginal(
  prep: TargetPrep,
  scaler: Scaler,
  outputs: ArrayLike<number>,
  levels: ArrayLike<number>,
  last: number,
): Float64Array {
  const z = Float64Array.from({ length: outputs.length }, (_, h) =>
    unscale(scaler, outputs[h]! * prep.windowScale + levels[h]!),
  );
  return inverseForecast(prep.transform, last, z);
}
