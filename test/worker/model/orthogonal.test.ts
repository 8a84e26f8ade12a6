// The fast orthogonal initializer (issue 15 item 4) gives tf.initializers.orthogonal's values to
// float32 rounding, orthonormal rows or columns, in a fraction of the time.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { orthogonal, orthonormalColumns } from '../../../worker/model/orthogonal.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('orthogonal', () => {
  it.each([
    [8, 32], // LSTM(8) recurrent kernel: rows < columns (transposed)
    [12, 36], // GRU(12)
    [10, 10], // SimpleRNN(10): square
    [40, 20], // rows > columns
  ])('matches tf.initializers.orthogonal on [%i, %i] to 1e-6', (rows, cols) => {
    const theirs = tf.initializers.orthogonal({ seed: 7, gain: 1.5 }).apply([rows, cols]).dataSync();
    const ours = orthogonal({ seed: 7, gain: 1.5 }).apply([rows, cols]).dataSync();
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i]! - theirs[i]!)).toBeLessThan(1e-6);
  });

  it('keeps the class and config that saved topologies record', () => {
    const init = orthogonal({ seed: 3 });
    expect(init.getClassName()).toBe('Orthogonal');
    expect(init.getConfig()).toEqual(tf.initializers.orthogonal({ seed: 3 }).getConfig());
  });

  it('an LSTM(64) recurrent kernel takes milliseconds and is orthonormal', () => {
    const t0 = performance.now();
    const w = orthogonal({ seed: 1 }).apply([64, 256]).arraySync() as number[][];
    const ms = performance.now() - t0;
    // Rows of a wide result are orthonormal: W Wᵀ = I.
    for (let i = 0; i < 64; i += 7)
      for (let j = 0; j < 64; j += 5) {
        let dot = 0;
        for (let k = 0; k < 256; k++) dot += w[i]![k]! * w[j]![k]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    expect(ms).toBeLessThan(1000); // tf.linalg.qr: several seconds for this shape
  });

  it('orthonormalColumns makes R’s diagonal positive (the unique factor)', () => {
    const a = [2, 0, 0, -3]; // 2×2, columns (2,0) and (0,-3)
    expect(Array.from(orthonormalColumns(a, 2, 2))).toEqual([1, 0, 0, -1]);
  });
});
