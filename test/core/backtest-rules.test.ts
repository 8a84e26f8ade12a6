import { describe, expect, it } from 'vitest';
import { aggregateFolds, backtestStatus } from '../../core/backtest-rules.js';

describe('backtest rules', () => {
  it('averages each metric over the folds that have it, with the sample std', () => {
    const s = aggregateFolds([{ 'test.mae': 1, 'naive.mae': 2 }, { 'test.mae': 3, 'naive.mae': 2 }, { 'test.mae': 5 }]);
    expect(s['test.mae']).toEqual({ mean: 3, std: 2, n: 3 });
    expect(s['naive.mae']).toEqual({ mean: 2, std: 0, n: 2 });
    expect(aggregateFolds([{ 'test.mae': 4 }])['test.mae']).toEqual({ mean: 4, std: 0, n: 1 });
    expect(aggregateFolds([{ 'ets.mae': NaN }])).toEqual({});
  });

  it('derives the status from the fold runs', () => {
    const runs = (...s: string[]) => s.map((status) => ({ status }));
    expect(backtestStatus(3, runs('completed', 'running'), false, false)).toBe('running');
    expect(backtestStatus(3, runs('completed'), true, false)).toBe('running');
    expect(backtestStatus(3, runs('completed', 'completed', 'completed'), false, false)).toBe('completed');
    expect(backtestStatus(3, runs('completed', 'failed'), false, false)).toBe('failed');
    expect(backtestStatus(3, runs('completed', 'stopped'), false, false)).toBe('stopped');
    expect(backtestStatus(3, runs('completed'), false, true)).toBe('stopped');
    expect(backtestStatus(3, runs('completed'), false, false)).toBe('interrupted');
    expect(backtestStatus(3, runs('completed', 'interrupted'), false, false)).toBe('interrupted');
  });
});
