// The ETS baseline of a forecast run: per series and target, exponential smoothing fitted on the
// train+val rows in original units with the run's season, then run forward over the test rows
// one observation at a time without refitting, giving the same origins and steps as the model's
// test windows. A series where no variant fits is left NaN, and then ets.* scores are left out
// (scores over a subset of the windows would not compare with the others).
import { fitEts, rollingForecast } from '../baselines/ets.js';
import type { Prepared } from '../data/prepare.js';

/** Fit on at most this many of the last rows: keeps the baseline within a second or so on long series. */
export const ETS_MAX_LENGTH = 600;
/** Past this much fitting time the remaining series are left out (many series in long format). */
export const ETS_BUDGET_MS = 8000;

export interface EtsBaseline {
  /** Forecasts in the evaluation layout [n, outputs]. */
  predicted: Float64Array;
  /** One line per fitted series/target for the run log (variant and AICc), or why it failed. */
  notes: string[];
}

export function etsBaseline(p: Prepared): EtsBaseline {
  const w = p.windows.test;
  const n = w.length / 2;
  const T = p.targets.length;
  const H = p.horizon;
  const O = T * H;
  const predicted = new Float64Array(n * O).fill(NaN);
  const notes: string[] = [];
  // Test windows of each group, with their index in the evaluation order.
  const byGroup = new Map<number, number[]>();
  for (let r = 0; r < n; r++) {
    const gi = w[2 * r]!;
    let list = byGroup.get(gi);
    if (!list) byGroup.set(gi, (list = []));
    list.push(r);
  }
  const started = Date.now();
  for (const [gi, rs] of byGroup) {
    if (Date.now() - started > ETS_BUDGET_MS) {
      notes.push(
        `ETS baseline: stopped after ${ETS_BUDGET_MS / 1000} s with ${p.groups.length} series; its scores are left out`,
      );
      break;
    }
    const g = p.groups[gi]!;
    const where = p.groups.length > 1 ? ` (series ${g.key})` : '';
    for (let j = 0; j < T; j++) {
      const col = (from: number, to: number) =>
        Float64Array.from({ length: to - from }, (_, i) => g.raw[(from + i) * T + j]!);
      let forecasts: Float64Array;
      try {
        const model = fitEts(col(0, g.testStart), { season: p.seasonLength, maxLength: ETS_MAX_LENGTH });
        forecasts = rollingForecast(model, col(g.testStart, g.rows), H);
        notes.push(
          `ETS baseline for ${p.targets[j]}${where}: ${model.name} (AICc ${model.fit.aicc.toFixed(1)}, fitted on the last ${model.fit.n} train+val rows)`,
        );
      } catch (e) {
        notes.push(`ETS baseline for ${p.targets[j]}${where}: ${(e as Error).message}; left out`);
        continue;
      }
      for (const r of rs) {
        // Window ending at t predicts rows t+1..t+H: the rolling origin that has seen rows up to t.
        const origin = w[2 * r + 1]! + 1 - g.testStart;
        for (let h = 0; h < H; h++) predicted[r * O + j * H + h] = forecasts[origin * H + h]!;
      }
    }
  }
  return { predicted, notes };
}
