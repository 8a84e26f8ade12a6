import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '../../../core/contract.js';
import { buildModel, countParams } from '../../../worker/model/build.js';

describe('buildModel', () => {
  const cases = [
    { name: 'lstm', spec: { target: 'y', model: { cell: 'lstm', layers: [{ units: 8 }] } }, outputs: 1 },
    {
      name: 'stacked gru with dropout and a head',
      spec: {
        target: 'y',
        model: { cell: 'gru', layers: [{ units: 6, dropout: 0.2 }, { units: 5 }], head: { layers: [7] } },
      },
      outputs: 3,
    },
    {
      name: 'bidirectional simpleRNN',
      spec: { target: 'y', model: { cell: 'simpleRNN', layers: [{ units: 4 }], bidirectional: true } },
      outputs: 2,
    },
    {
      name: 'classifier',
      spec: { task: 'classify', target: 'c', model: { cell: 'lstm', layers: [{ units: 3 }] } },
      outputs: 4,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: output shape, parameter count`, () => {
      const spec = parseSpec(c.spec);
      const shape = { lookback: 10, features: 3, outputs: c.outputs };
      const model = buildModel(spec, shape);
      const y = model.predict(tf.zeros([2, 10, 3])) as tf.Tensor;
      expect(y.shape).toEqual([2, c.outputs]);
      if (spec.task === 'classify') {
        const sums = tf.sum(y, 1).dataSync();
        sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
      }
      expect(countParams(spec, shape)).toBe(model.countParams());
      tf.dispose(y);
    });
  }

  it('gives the same initial weights for the same seed and different ones for another', () => {
    const shape = { lookback: 5, features: 2, outputs: 1 };
    const w = (seed: number) =>
      buildModel(parseSpec({ target: 'y', model: { layers: [{ units: 4 }] }, train: { seed } }), shape)
        .getWeights()[0]!
        .dataSync();
    expect(Array.from(w(1))).toEqual(Array.from(w(1)));
    expect(Array.from(w(1))).not.toEqual(Array.from(w(2)));
  });
});
