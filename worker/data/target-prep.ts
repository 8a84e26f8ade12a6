// The per-target transform and normalisation of a forecast run: resolved from the spec (`auto`
// decides from the train split alone), applied to the target columns before the network sees them,
// and undone exactly for metrics, stored predictions and exports. Target values live in three
// spaces: original units (raw), transformed (z = log/diff of raw) and model units (z globally
// scaled, then for `window` relative to the window's last observed value and divided by one
// window scale). A feature that is also a target gets the same model-unit values as its target.
import { ServiceError, type RunSpec } from '../../core/contract.js';
import { fitScaler, scale, unscale, type Scaler } from './scaler.js';
import { chooseAutoTransform } from './stationarity.js';
import { fitWindowScale, inverseForecast, transformProblem, type Normalize, type TransformSpec } from './transforms.js';

export interface TargetPrep {
  transform: TransformSpec;
  normalize: Normalize;
  /** Model units of a window-normalised value: (scaled - level) / windowScale. 1 for global. */
  windowScale: number;
  /** One line for the run log: what was chosen and why. */
  reason: string;
}

/** The longest train segment: the one series the automatic choice is made on. */
function longest(segments: Float64Array[]): Float64Array {
  return segments.reduce((a, b) => (b.length > a.length ? b : a), segments[0] ?? new Float64Array(0));
}

/** Transform and normalisation of one target from the spec, its train segments and all its values. */
export function resolveTargetPrep(spec: RunSpec, name: string, train: Float64Array[], all: Float64Array[], isFeature: boolean): Omit<TargetPrep, 'windowScale'> {
  const problem = (kind: TransformSpec['kind']) => all.map((v) => transformProblem({ kind }, v)).find((p) => p !== null) ?? null;
  if (!isFeature && (spec.transform !== 'auto' && spec.transform !== 'none' || spec.normalize === 'window')) {
    const field = spec.normalize === 'window' ? 'spec.normalize' : 'spec.transform';
    throw new ServiceError('bad_input', `${field}: target "${name}" is not among the features; a transform or window normalisation needs its past values as inputs`, field);
  }
  if (!isFeature) return { transform: { kind: 'none' }, normalize: 'global', reason: `${name}: not an input feature → no transform, global scaling` };
  const auto = chooseAutoTransform(longest(train));
  let kind: TransformSpec['kind'] = spec.transform === 'auto' ? auto.transform : spec.transform;
  let why = spec.transform === 'auto' ? auto.reason : `transform ${kind} from the spec`;
  const p = problem(kind);
  if (p && spec.transform !== 'auto') throw new ServiceError('bad_input', `spec.transform: column "${name}": ${p}`, 'spec.transform');
  if (p) {
    kind = 'none';
    why += `; but ${p} → no transform`;
  }
  const normalize: Normalize = spec.normalize === 'auto' ? auto.normalize : spec.normalize;
  if (spec.normalize !== 'auto') why += `; normalisation ${normalize} from the spec`;
  return { transform: { kind }, normalize, reason: `${name}: ${why}` };
}

/** Fits the target's scaler on the transformed train segments and the window scale on the scaled ones. */
export function fitTargetScale(spec: RunSpec, prep: Omit<TargetPrep, 'windowScale'>, zTrain: Float64Array[]): { scaler: Scaler; windowScale: number } {
  const scaler = fitScaler(spec.scaling, zTrain);
  if (prep.normalize !== 'window') return { scaler, windowScale: 1 };
  const scaled = zTrain.map((z) => Float64Array.from(z, (v) => scale(scaler, v)));
  return { scaler, windowScale: fitWindowScale('shift', longest(scaled), spec.window.lookback, spec.window.horizon) };
}

/** The level a window is expressed against: the last observed scaled target value of rows from..to-1 (0 if none). */
export function levelOf(prep: TargetPrep, scaled: ArrayLike<number>, stride: number, col: number, from: number, to: number): number {
  if (prep.normalize !== 'window') return 0;
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
 * normalisation, the scaler and the transform (`last` = the original value at the origin).
 */
export function toOriginal(prep: TargetPrep, scaler: Scaler, outputs: ArrayLike<number>, level: number, last: number): Float64Array {
  const z = Float64Array.from({ length: outputs.length }, (_, h) => unscale(scaler, outputs[h]! * prep.windowScale + level));
  return inverseForecast(prep.transform, last, z);
}
