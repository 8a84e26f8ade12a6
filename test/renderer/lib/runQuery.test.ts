// The runs table's query language (renderer/src/lib/runQuery.ts) and its binding to runs
// (runsTable.ts: aliases, RunSpec paths, metrics).
import { describe, expect, it } from 'vitest';
import { compileQuery, isStructured, parseQuery, QueryError } from '../../../renderer/src/lib/runQuery.js';
import { fieldValue, queryRuns } from '../../../renderer/src/lib/runsTable.js';
import { RunSpecSchema } from '../../../core/contract.js';
import { makeRun } from '../runs.js';

const runs = [
  makeRun(1, { units: 16, notes: 'first try' }),
  makeRun(2, {
    units: 64,
    spec: RunSpecSchema.parse({ target: 'load_mw', model: { cell: 'lstm', layers: [{ units: 64 }] } }),
  }),
  makeRun(3, { units: 64, test: { 'test.mase': 0.8, 'test.rmse': 3 } }),
  makeRun(4, { units: 128, status: 'failed', valLoss: null, test: {} }),
];
const ids = (q: string) => {
  const r = queryRuns(runs, q);
  if (r.error) throw r.error;
  return r.rows.map((x) => x.id);
};

describe('runQuery', () => {
  it('evaluates the example query of the issue', () => {
    expect(ids('units > 32 and cell = gru and test.mase < 1')).toEqual([3]);
  });

  it('supports or, not, parentheses, == and string equality without case', () => {
    expect(ids('cell = LSTM or units >= 128')).toEqual([2, 4]);
    expect(ids('not (cell = gru)')).toEqual([2]);
    expect(ids('(units = 64 or units = 16) and status == completed')).toEqual([1, 2, 3]);
    expect(ids('units != 64')).toEqual([1, 4]);
    expect(ids("name = 'run-2'")).toEqual([2]);
    expect(ids('notes ~ TRY')).toEqual([1]);
    expect(ids('tag = odd')).toEqual([1, 3]);
  });

  it('reads RunSpec paths and metrics, and a missing value matches only !=', () => {
    expect(ids('model.layers.0.units <= 16')).toEqual([1]);
    expect(ids('train.learningRate > 0.001 and window.lookback = auto')).toEqual([1, 2, 3, 4]);
    expect(ids('val_loss < 0.4')).toEqual([3]);
    expect(ids('val_loss.max < 0.7')).toEqual([3]);
    expect(ids('test.mase != 1')).toContain(4);
    expect(fieldValue(runs[0]!, 'model.cell')).toBe('gru');
    expect(fieldValue(runs[0]!, 'test.rmse')).toBe(11);
  });

  it('accepts every example of docs/runs-table.md', () => {
    expect(ids('(cell = lstm or cell = gru) and not tag = even')).toEqual([1, 3]);
    expect(ids('model.layers.0.units >= 64 and train.learningRate < 0.01')).toEqual([2, 3, 4]);
    expect(ids('name ~ run and created > 2025-12-31')).toEqual([1, 2, 3, 4]);
    expect(ids('created > 2026-01-02')).toEqual([]);
  });

  it('keeps plain words as a text search', () => {
    expect(isStructured('gru-16 wide')).toBe(false);
    expect(ids('run-3')).toEqual([3]);
    expect(ids('')).toEqual([1, 2, 3, 4]);
  });

  it('reports errors with the column where they are', () => {
    const err = (q: string) => {
      const r = compileQuery(
        q,
        () => 1,
        (f) => f !== 'unitz',
        () => true,
      );
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.error.message;
    };
    expect(err('units >')).toBe('expected a value after "units >", found the end of the query (column 8)');
    expect(err('units > 3 cell = gru')).toBe('unexpected "cell"; join conditions with and / or (column 11)');
    expect(err('(units > 3')).toBe('expected ")" to close the "(" at column 1, found the end of the query (column 11)');
    expect(err('units > 3)')).toBe('unexpected a ")" without its "(" (column 10)');
    expect(err('unitz > 3')).toBe('unknown field "unitz" (column 1)');
    expect(err("name = 'abc")).toBe("unclosed quote ' (column 8)");
    expect(err('and > 3')).toBe('expected a field name, found "and" (column 1)');
    expect(() => parseQuery('units 3 =')).toThrow(QueryError);
    const r = queryRuns(runs, 'unitz > 3');
    expect(r.rows).toEqual([]);
    expect(r.error?.column).toBe(1);
  });
});
