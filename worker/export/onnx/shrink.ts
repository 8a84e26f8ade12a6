// The shrinkage of preprocessing.json (`shrink.alpha`, worker/data/shrink.ts) in the ONNX graph:
// between the network and the output steps, in model units,
//   out = α · network + (1 − α) · base,
// where the base of an output is its target's last model-input row (0 for a differenced target),
// exactly as worker/export/load.ts's predictRaw does it.
import type { Preprocessing } from '../../train/trainer.js';
import { baseFeatures } from '../../data/shrink.js';
import type { Graph } from './graph.js';

/** `y` [batch, outputs] shrunk toward the base read from `modelInput` [batch, lookback, features]; `y` itself when α = 1. */
export function addShrink(g: Graph, y: string, modelInput: string, prep: Preprocessing): string {
  const alpha = prep.task === 'forecast' ? prep.shrink?.alpha : undefined;
  if (!alpha || alpha.every((a) => a === 1)) return y;
  const bases = baseFeatures(prep);
  const scaled = g.op('Mul', [y, g.floats('shrink_alpha', [alpha.length], alpha)], 'shrink_scaled');
  if (bases.every((f) => f < 0)) return scaled;
  const L = prep.lookback;
  const lastRow = g.op(
    'Slice',
    [modelInput, g.ints('shrink_starts', [L - 1]), g.ints('shrink_ends', [L]), g.ints('shrink_axes', [1])],
    'shrink_last_row',
  );
  const last = g.op('Squeeze', [lastRow, g.ints('shrink_squeeze_axis', [1])], 'shrink_last');
  const base = g.op(
    'Gather',
    [
      last,
      g.ints(
        'shrink_base_index',
        bases.map((f) => Math.max(f, 0)),
      ),
    ],
    'shrink_base',
    { axis: 1 },
  );
  const weights = alpha.map((a, o) => (bases[o]! >= 0 ? 1 - a : 0));
  const pulled = g.op('Mul', [base, g.floats('shrink_base_weight', [weights.length], weights)], 'shrink_pulled');
  return g.op('Add', [scaled, pulled], 'shrunk');
}
