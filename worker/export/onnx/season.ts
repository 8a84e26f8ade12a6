// Season normalisation inside the ONNX graph. A season-normalised target's output step h is
// measured from the window's last scaled value plus last season's change before that step,
// s[i] - s[L-1-m] with i = L-1+h-m·ceil(h/m) (worker/data/transforms.ts stepLevels: a seasonal
// naive forecast moved to the current level). Training requires lookback > m, so both rows lie in
// the window: the change is two Gathers from the flattened scaled window and one Sub, added to the
// level when the output is denormalised.
import type { Graph } from './graph.js';

export interface SeasonOutput {
  /** The output's feature column (-1: not an input feature, never season-normalised). */
  feature: number;
  /** Its horizon step, 1-based. */
  step: number;
  /** Its target's season length; 0 when the target is not season-normalised. */
  season: number;
}

/** Row of the window whose scaled value is the step's seasonal reference (before the change base). */
export function seasonRow(lookback: number, step: number, season: number): number {
  return lookback - 1 + step - season * Math.ceil(step / season);
}

/**
 * [batch, outputs]: per output the change s[i] - s[L-1-m] from the scaled window [batch, L, F]
 * (0 for outputs that are not season-normalised: both indices point at the same cell).
 */
export function seasonChange(g: Graph, scaled: string, lookback: number, F: number, outs: SeasonOutput[]): string {
  const flat = g.op('Reshape', [scaled, g.ints('season_flat_shape', [0, lookback * F])], 'season_flat');
  const cell = (row: number, col: number) => row * F + Math.max(col, 0);
  const at = outs.map((o) => (o.season > 0 ? cell(seasonRow(lookback, o.step, o.season), o.feature) : 0));
  const base = outs.map((o) => (o.season > 0 ? cell(lookback - 1 - o.season, o.feature) : 0));
  const seasonal = g.op('Gather', [flat, g.ints('season_at_index', at)], 'season_at', { axis: 1 });
  const reference = g.op('Gather', [flat, g.ints('season_base_index', base)], 'season_base', { axis: 1 });
  return g.op('Sub', [seasonal, reference], 'season_change');
}

/** Whether a normalisation expresses inputs relative to the window's last value (window, season). */
export const windowedMode = (n: string): boolean => n === 'window' || n === 'season';
