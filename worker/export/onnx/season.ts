// Season normalisation inside the ONNX graph. A season-normalised target's output step h is
// measured from a reference that is a fixed linear map of the window's scaled values
// (worker/data/season-base.ts: the season-ago change or the seasonal profile, averaged over k
// seasons, plus the linear correction of linear-reference.ts where the run fitted one). Training requires every row it reads to lie in the window, so the reference minus the
// last value is one MatMul of the flattened window by a constant [L·F, outputs], added to the
// level when the output is denormalised.
import { referenceWeights, type SeasonReference } from '../../data/season-base.js';
import type { Graph } from './graph.js';

export interface SeasonOutput {
  /** The output's feature column (-1: not an input feature, never season-normalised). */
  feature: number;
  /** Its horizon step, 1-based. */
  step: number;
  /** Its target's season length; 0 when the target is not season-normalised. */
  season: number;
  /** Past seasons its reference averages over (TargetPrep.seasons; absent: 1). */
  seasons?: number;
  /** TargetPrep.reference (absent: `change`). */
  reference?: SeasonReference;
  /** TargetPrep.linear: the reference's linear correction per step (absent: none). */
  linear?: number[][];
}

/** Whether an output's level is a weighted sum of the window (a season or a linear correction). */
export const weighted = (o: SeasonOutput): boolean => o.feature >= 0 && (o.season > 0 || o.linear !== undefined);

/**
 * [batch, outputs]: per output its reference minus the window's last value, Σ_r w[r]·s[r] over the
 * scaled window [batch, L, F] (season-base.ts referenceWeights, placed in the output's feature
 * column; a zero column for outputs that are not season-normalised): one MatMul by a constant.
 */
export function seasonChange(g: Graph, scaled: string, lookback: number, F: number, outs: SeasonOutput[]): string {
  const flat = g.op('Reshape', [scaled, g.ints('season_flat_shape', [0, lookback * F])], 'season_flat');
  const w = new Float64Array(lookback * F * outs.length);
  outs.forEach((o, c) => {
    if (!weighted(o)) return;
    const prep = {
      normalize: o.season > 0 ? 'season' : 'window',
      season: o.season,
      seasons: o.seasons ?? 1,
      reference: o.reference ?? 'change',
      ...(o.linear ? { linear: o.linear } : {}),
    };
    referenceWeights(prep, lookback, o.step).forEach((v, row) => {
      w[(row * F + o.feature) * outs.length + c] = v;
    });
  });
  return g.op('MatMul', [flat, g.floats('season_reference', [lookback * F, outs.length], w)], 'season_change');
}

/** Whether a normalisation expresses inputs relative to the window's last value (window, season). */
export const windowedMode = (n: string): boolean => n === 'window' || n === 'season';
