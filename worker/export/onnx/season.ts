// Season normalisation inside the ONNX graph. A season-normalised target's output step h is
// measured from the window's last scaled value plus the season-ago change before that step,
// s[i] - s[L-1-m] with i = L-1+h-m·ceil(h/m), averaged over the target's k past seasons
// (worker/data/transforms.ts stepLevels: a seasonal naive forecast moved to the current level).
// Training requires k·m < lookback, so every row lies in the window: each season's change is two
// Gathers from the flattened scaled window and a Sub, their sum is scaled by 1/k, and the result is
// added to the level when the output is denormalised.
import type { Graph } from './graph.js';

export interface SeasonOutput {
  /** The output's feature column (-1: not an input feature, never season-normalised). */
  feature: number;
  /** Its horizon step, 1-based. */
  step: number;
  /** Its target's season length; 0 when the target is not season-normalised. */
  season: number;
  /** Past seasons its change is averaged over (TargetPrep.seasons; absent: 1). */
  seasons?: number;
}

/** Row of the window whose scaled value is the step's seasonal reference (before the change base). */
export function seasonRow(lookback: number, step: number, season: number): number {
  return lookback - 1 + step - season * Math.ceil(step / season);
}

/**
 * [batch, outputs]: per output the change mean_j (s[i-(j-1)m] - s[L-1-jm]) over its k seasons from
 * the scaled window [batch, L, F] (0 for outputs that are not season-normalised: both indices point
 * at the same cell). Outputs with fewer seasons than the most point their further pairs at one
 * cell too, so the sum over j only holds their own, and the sum is divided per output by its k.
 */
export function seasonChange(g: Graph, scaled: string, lookback: number, F: number, outs: SeasonOutput[]): string {
  const flat = g.op('Reshape', [scaled, g.ints('season_flat_shape', [0, lookback * F])], 'season_flat');
  const cell = (row: number, col: number) => row * F + Math.max(col, 0);
  const k = (o: SeasonOutput) => (o.season > 0 ? Math.max(1, o.seasons ?? 1) : 1);
  const most = Math.max(1, ...outs.map(k));
  let sum = '';
  for (let j = 1; j <= most; j++) {
    const used = (o: SeasonOutput) => o.season > 0 && j <= k(o);
    const at = outs.map((o) =>
      used(o) ? cell(seasonRow(lookback, o.step, o.season) - (j - 1) * o.season, o.feature) : 0,
    );
    const base = outs.map((o) => (used(o) ? cell(lookback - 1 - j * o.season, o.feature) : 0));
    const sfx = j === 1 ? '' : `_${j}`;
    const seasonal = g.op('Gather', [flat, g.ints(`season_at_index${sfx}`, at)], `season_at${sfx}`, { axis: 1 });
    const reference = g.op('Gather', [flat, g.ints(`season_base_index${sfx}`, base)], `season_base${sfx}`, { axis: 1 });
    const change = g.op('Sub', [seasonal, reference], `season_change${sfx}`);
    sum = j === 1 ? change : g.op('Add', [sum, change], `season_change_sum${sfx}`);
  }
  if (most === 1) return sum;
  const inv = g.floats(
    'season_average',
    [outs.length],
    outs.map((o) => 1 / k(o)),
  );
  return g.op('Mul', [sum, inv], 'season_change_mean');
}

/** Whether a normalisation expresses inputs relative to the window's last value (window, season). */
export const windowedMode = (n: string): boolean => n === 'window' || n === 'season';
