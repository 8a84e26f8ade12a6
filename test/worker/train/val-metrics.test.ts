// Validation metrics per epoch (worker/train/evaluate.ts valMetrics): val_mae is the network's own,
// val_mae_shrunk the forecast's the run delivers (the last value + α·(network − last value) for
// window normalisation), which is what tune ranks its trials by.
import { describe, expect, it } from 'vitest';
import type { LayersModel } from '@tensorflow/tfjs';
import { parseSpec, type RunSpec } from '../../../core/spec.js';
import { prepare, type Prepared } from '../../../worker/data/prepare.js';
import { buildModel } from '../../../worker/model/build.js';
import { originalOutputs } from '../../../worker/data/batches.js';
import { predictWindows, valMetrics } from '../../../worker/train/evaluate.js';
import { noise, oneColumn } from '../../helpers.js';

/** A random walk with a drift: the network (untrained) and the last value differ. */
function walk(n: number): Float64Array {
  const rnd = noise(5);
  const v = new Float64Array(n);
  for (let i = 1; i < n; i++) v[i] = v[i - 1]! + 0.05 + rnd();
  return v.map((x) => x + 100);
}

const H = 2;
const specOf = (shrink: 'auto' | 'off') =>
  parseSpec({
    target: 'v',
    transform: 'none',
    normalize: 'window',
    linearReference: 'off',
    shrink,
    window: { lookback: 12, horizon: H },
    model: { cell: 'gru', layers: [{ units: 4 }] },
  });

describe('validation metrics', () => {
  const { info, load } = oneColumn(walk(400));

  /** The series prepared for `spec` and an untrained network for it, disposed after `use`. */
  function withModel(spec: RunSpec, use: (p: Prepared, model: LayersModel) => void): void {
    const p = prepare(spec, info, load);
    const model = buildModel(spec, { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length });
    try {
      use(p, model);
    } finally {
      model.dispose();
    }
  }

  it('val_mae_shrunk is the MAE of last value + α (network − last value), α fitted on the same windows', () => {
    const spec = specOf('auto');
    withModel(spec, (p, model) => {
      const { metrics, shrink } = valMetrics(model, p, spec);
      if (!('val_mae_shrunk' in metrics)) throw new Error('a forecast has val_mae_shrunk');
      const alpha = shrink!.alpha;
      expect(alpha).toHaveLength(H);
      // Recomputed from the raw series: the network's forecasts in original units and the last observed value.
      const w = p.windows.val;
      const f = originalOutputs(p, w, predictWindows(model, p, w).pred);
      const raw = p.groups[0]!.raw;
      let sum = 0;
      let own = 0;
      const n = w.length / 2;
      for (let i = 0; i < n; i++) {
        const t = w[2 * i + 1]!;
        for (let h = 0; h < H; h++) {
          const y = raw[t + 1 + h]!;
          sum += Math.abs(y - (raw[t]! + alpha[h]! * (f[i * H + h]! - raw[t]!)));
          own += Math.abs(y - f[i * H + h]!);
        }
      }
      expect(metrics.val_mae_shrunk).toBeCloseTo(sum / (n * H), 5);
      expect(metrics.val_mae).toBeCloseTo(own / (n * H), 5);
      // The untrained network does not earn its whole part: the two differ.
      expect(alpha.some((a) => a < 1)).toBe(true);
      expect(Math.abs(metrics.val_mae_shrunk - metrics.val_mae)).toBeGreaterThan(1e-6);
    });
  });

  it('with shrink off, val_mae_shrunk is val_mae', () => {
    const spec = specOf('off');
    withModel(spec, (p, model) => {
      const { metrics, shrink } = valMetrics(model, p, spec);
      expect(shrink).toBeNull();
      if (!('val_mae_shrunk' in metrics)) throw new Error('a forecast has val_mae_shrunk');
      expect(metrics.val_mae_shrunk).toBe(metrics.val_mae);
    });
  });
});
