import { describe, expect, it } from 'vitest';
import { aggregateFolds, backtestOrigin, backtestStatus, foldCutoffs, testRows } from '../../core/backtest-rules.js';
import { parseSpec } from '../../core/contract.js';

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

  it('cuts every fold before the test split when asked: the origin is the longest series test rows', () => {
    expect(foldCutoffs(3, 20)).toEqual([40, 20, 0]);
    expect(foldCutoffs(3, 20, 45)).toEqual([85, 65, 45]);
    const spec = parseSpec({ target: 'y' }); // split 0.7 / 0.15 / 0.15
    expect(testRows(spec, [300, 200])).toBe(45);
    expect(backtestOrigin({ ...spec, cutoff: 45, backtest: { folds: 3, warmStart: false, beforeTest: true } })).toBe(
      45,
    );
    // A backtest of a spec that carries a cutoff (a fold run's) without beforeTest starts at the series' end.
    expect(backtestOrigin({ ...spec, cutoff: 45, backtest: { folds: 3, warmStart: false } })).toBe(0);
  });
});
