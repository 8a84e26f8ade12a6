import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../../core/spec.js';
import { gpuTrainerUnsupported } from '../../../../worker/kernels/webgpu/support.js';

const base = { target: 'y' };

describe('gpuTrainerUnsupported', () => {
  it('accepts the default forecasting spec (stacked LSTM, Adam, MSE)', () => {
    expect(gpuTrainerUnsupported(parseSpec(base), 1)).toBeNull();
    expect(
      gpuTrainerUnsupported(parseSpec({ ...base, model: { cell: 'gru', layers: [{ units: 32 }, { units: 16 }] } }), 3),
    ).toBeNull();
  });

  it('names what the GPU trainer lacks', () => {
    const cases: [object, RegExp][] = [
      [{ task: 'classify' }, /forecasting/],
      [{ model: { bidirectional: true } }, /bidirectional/],
      [{ model: { head: { layers: [8] } } }, /dense head/],
      [{ model: { layers: [{ units: 8 }, { units: 8, dropout: 0.2 }] } }, /layer 2 has 0.2/],
      [{ train: { optimizer: 'sgd' } }, /Adam only, not sgd/],
      [{ train: { loss: 'huber' } }, /MSE loss only, not huber/],
      [{ model: { cell: 'lstm', layers: [{ units: 2048 }] } }, /layer 1 \(2048 units\) needs 57348 bytes/],
    ];
    for (const [patch, re] of cases) expect(gpuTrainerUnsupported(parseSpec({ ...base, ...patch }), 1)).toMatch(re);
  });
});
