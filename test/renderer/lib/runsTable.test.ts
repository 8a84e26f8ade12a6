// Sorting, filtering and windowing of the runs table (pure functions).
import { describe, expect, it } from 'vitest';
import { filterRuns, parseTags, sortRuns, visibleRange } from '../../../renderer/src/lib/runsTable.js';
import { makeRun } from '../runs.js';

describe('runs table functions', () => {
  const runs = [
    makeRun(1, { valLoss: 0.5 }),
    makeRun(2, { valLoss: null, status: 'failed' }),
    makeRun(3, { valLoss: 0.2, name: 'lstm wide', tags: ['best'] }),
  ];

  it('sorts by a numeric column with empty values last in both directions', () => {
    expect(sortRuns(runs, 'valLoss', 'asc').map((r) => r.id)).toEqual([3, 1, 2]);
    expect(sortRuns(runs, 'valLoss', 'desc').map((r) => r.id)).toEqual([1, 3, 2]);
    expect(sortRuns(runs, 'id', 'desc').map((r) => r.id)).toEqual([3, 2, 1]);
    expect(sortRuns(runs, 'name', 'asc').map((r) => r.name)).toEqual(['lstm wide', 'run-1', 'run-2']);
  });

  it('filters on every word across name, status, tags and #id, and on status', () => {
    expect(filterRuns(runs, 'lstm').map((r) => r.id)).toEqual([3]);
    expect(filterRuns(runs, 'BEST wide').map((r) => r.id)).toEqual([3]);
    expect(filterRuns(runs, '#2').map((r) => r.id)).toEqual([2]);
    expect(filterRuns(runs, '', 'failed').map((r) => r.id)).toEqual([2]);
    expect(filterRuns(runs, 'nothing-like-this')).toEqual([]);
  });

  it('windows a long list around the scroll position', () => {
    expect(visibleRange(0, 480, 32, 1000)).toEqual({ start: 0, end: 23 });
    expect(visibleRange(3200, 480, 32, 1000)).toEqual({ start: 92, end: 123 });
    expect(visibleRange(31_900, 480, 32, 1000).end).toBe(1000);
  });

  it('parses tags', () => {
    expect(parseTags(' a, b,,a , c ')).toEqual(['a', 'b', 'c']);
  });
});
