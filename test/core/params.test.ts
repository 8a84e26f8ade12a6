// Parameter counts from the spec alone (the host's estimate); test/worker/model/build.test.ts
// checks the same function against TF.js's model.countParams().
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../core/contract.js';
import { countParams } from '../../core/params.js';

describe('countParams', () => {
  it('counts gates, directions, the head and the output layer', () => {
    const shape = { lookback: 10, features: 3, outputs: 1 };
    // LSTM 8 units: 4 gates × (3·8 + 8·8 + 8) = 384, output 8 + 1
    expect(
      countParams(
        parseSpec({ target: 'v', model: { cell: 'lstm', layers: [{ units: 8 }], head: { layers: [] } } }),
        shape,
      ),
    ).toBe(393);
    // GRU, bidirectional: 2 × 3 × (3·8 + 8·8 + 8) = 576, head 16·4 + 4 = 68, output 4 + 1
    expect(
      countParams(
        parseSpec({
          target: 'v',
          model: { cell: 'gru', bidirectional: true, layers: [{ units: 8 }], head: { layers: [4] } },
        }),
        shape,
      ),
    ).toBe(649);
  });
});
