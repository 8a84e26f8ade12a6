// The host's min/max decimation of `datasets.series` (core/downsample.ts): extremes per bucket and
// the binary search that finds a zoomed window.
import { describe, expect, it } from 'vitest';
import { lowerBound, minMaxIndices } from '../../core/downsample.js';

describe('min/max decimation', () => {
  it('keeps every point of a short series and the extremes of each bucket of a long one', () => {
    expect(minMaxIndices([[1, 2, 3]], 0, 3, 10)).toEqual([0, 1, 2]);
    const y = [5, 1, 9, 2, 2, 2, 8, 0];
    expect(minMaxIndices([y], 0, 8, 2)).toEqual([0, 1, 2, 6, 7]);
    expect(minMaxIndices([[5, null, 1, 2, 3, 4, 6, 7]], 0, 8, 2)).toContain(1); // gaps stay
  });

  it('finds the window by binary search', () => {
    expect(lowerBound([1, 3, 5, 7], 4)).toBe(2);
    expect(lowerBound([1, 3, 5, 7], 9)).toBe(4);
  });
});
