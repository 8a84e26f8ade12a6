// The spec rules host and worker share, checked on their own (no database, no TF.js): column
// resolution names the offending field, split and window counts match what prepare() cuts (see
// test/worker/data/prepare.test.ts), and a window that does not fit is refused in one wording.
import { describe, expect, it } from 'vitest';
import { ServiceError, parseSpec } from '../../core/contract.js';
import {
  autoLookback,
  countWindows,
  estimateWindows,
  refuseEmptySplits,
  resolveColumns,
  sizeSpec,
  splitRows,
  type DatasetInfo,
} from '../../core/spec-rules.js';

/** A spec with a numeric lookback, typed as the window counts want it. */
const sized = (input: Parameters<typeof parseSpec>[0]) => sizeSpec(parseSpec(input), [], 1).spec;

const info: DatasetInfo = {
  name: 'd',
  rowCount: 100,
  timeColumn: 'time',
  seriesColumn: null,
  columns: [
    { name: 'time', kind: 'datetime' },
    { name: 'v', kind: 'numeric' },
    { name: 'w', kind: 'numeric' },
    { name: 'label', kind: 'categorical' },
  ],
};

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return (e as ServiceError).field;
  }
  throw new Error('expected a ServiceError');
}

describe('resolveColumns', () => {
  it('uses the dataset time column and defaults the features by task', () => {
    expect(resolveColumns(parseSpec({ target: 'v' }), info)).toEqual({
      targets: ['v'],
      features: ['v'],
      time: 'time',
      series: null,
    });
    expect(resolveColumns(parseSpec({ task: 'classify', target: 'label' }), info)).toEqual({
      targets: ['label'],
      features: ['v', 'w'],
      time: 'time',
      series: null,
    });
  });

  it('names the field of an unknown or unfit column', () => {
    expect(fieldOf(() => resolveColumns(parseSpec({ target: 'nope' }), info))).toBe('spec.target');
    expect(fieldOf(() => resolveColumns(parseSpec({ target: ['v', 'nope'] }), info))).toBe('spec.target.1');
    expect(fieldOf(() => resolveColumns(parseSpec({ target: 'label' }), info))).toBe('spec.target');
    expect(fieldOf(() => resolveColumns(parseSpec({ target: 'v', features: ['w', 'label'] }), info))).toBe(
      'spec.features.1',
    );
    expect(fieldOf(() => resolveColumns(parseSpec({ target: 'v', time: 'when' }), info))).toBe('spec.time');
    expect(fieldOf(() => resolveColumns(parseSpec({ target: 'v', series: 'who' }), info))).toBe('spec.series');
  });
});

describe('splits and windows', () => {
  it('splits a series by the spec fractions', () => {
    expect(splitRows(100, { train: 0.7, val: 0.15, test: 0.15 })).toEqual({ valStart: 70, testStart: 85 });
  });

  it('counts windows whose targets lie inside the split', () => {
    // lookback 5, horizon 2, stride 1: t from 4 while t + 2 < 70 → 64; val t from 69 while t + 2 < 85 → 14
    expect(countWindows(0, 70, 5, 2, 1, 0)).toBe(64);
    expect(countWindows(70, 85, 5, 2, 1, 0)).toBe(14);
    expect(countWindows(70, 85, 5, 2, 5, 0)).toBe(3);
    expect(countWindows(0, 5, 5, 2, 1, 0)).toBe(0);
    const spec = sized({ target: 'v', window: { lookback: 5, horizon: 2 } });
    expect(estimateWindows(spec, [100, 100])).toMatchObject({
      rows: { train: 140, val: 30, test: 30 },
      windows: { train: 128, val: 28, test: 28 },
    });
  });

  it('refuses a split without windows, naming the field to change', () => {
    const spec = sized({ target: 'v', window: { lookback: 5, horizon: 2 } });
    const one = (
      rows: Record<'train' | 'val' | 'test', number>,
      windows: Partial<Record<'train' | 'val' | 'test', number>>,
    ) => [{ key: '', rows, windows: { train: 1, val: 1, test: 1, ...windows } }];
    expect(refuseEmptySplits(spec, one({ train: 70, val: 15, test: 15 }, {}))).toEqual([]);
    expect(fieldOf(() => refuseEmptySplits(spec, one({ train: 3, val: 15, test: 15 }, { train: 0 })))).toBe(
      'spec.window.lookback',
    );
    expect(fieldOf(() => refuseEmptySplits(spec, one({ train: 70, val: 0, test: 15 }, { val: 0 })))).toBe(
      'spec.split.val',
    );
    expect(fieldOf(() => refuseEmptySplits(spec, one({ train: 70, val: 15, test: 1 }, { test: 0 })))).toBe(
      'spec.window.horizon',
    );
  });

  it('words the refusal per series and warns about a series too short to train', () => {
    const spec = sized({ target: 'v', window: { lookback: 11, horizon: 1 } });
    const three = estimateWindows(
      spec,
      ['A', 'B', 'C'].map((key) => ({ key, rows: 16 })),
    );
    expect(three.rows.train).toBe(33);
    expect(() => refuseEmptySplits(spec, three.series)).toThrow(
      "spec.window: lookback 11 + horizon 1 needs 12 rows in a series' train split, but the train split of each series has at most 11 rows (series A 11, B 11, C 11)",
    );
    const mixed = estimateWindows(spec, [
      { key: 'A', rows: 100 },
      { key: 'B', rows: 16 },
    ]);
    expect(refuseEmptySplits(spec, mixed.series)).toEqual([
      '1 of 2 series has too few train rows for lookback 11 + horizon 1 (needs 12): series B 11; they add no training windows (their val and test windows are still evaluated)',
    ]);
  });

  it('resolves lookback auto from the season and the train rows', () => {
    expect(parseSpec({ target: 'v' }).window.lookback).toBe('auto');
    // A season up to 12: three of them and a row, at least 12 rows (monthly 37, quarterly 13, daily 22).
    expect(autoLookback(12, 700, 1)).toMatchObject({
      lookback: 37,
      how: 'lookback auto → 37 (3 × season 12 + 1 = 37)',
    });
    expect(autoLookback(4, 700, 1).lookback).toBe(13);
    expect(autoLookback(7, 700, 1).lookback).toBe(22);
    expect(autoLookback(2, 700, 1).how).toBe('lookback auto → 12 (3 × season 2 + 1 (at least 12) = 12)');
    // A longer season (hourly data's 24, weekly data's 52) stays outside the window.
    expect(autoLookback(24, 1000, 1)).toMatchObject({
      lookback: 24,
      how: 'lookback auto → 24 (season 24 longer than 12 → 24)',
    });
    expect(autoLookback(52, 2000, 1)).toMatchObject({
      lookback: 24,
      how: 'lookback auto → 24 (season 52 longer than 12 → 24)',
    });
    // No season: 24; a short series: a quarter of its train rows.
    expect(autoLookback(1, 700, 1).lookback).toBe(24);
    expect(autoLookback(1, 70, 1)).toEqual({
      lookback: 17,
      how: 'lookback auto → 17 (no season → 24, capped by the 70 train rows (a quarter, at least season + 1, leaving a window))',
    });
    // Never below season + 1 (season normalisation needs it), never beyond one training window.
    expect(autoLookback(12, 50, 1).lookback).toBe(13);
    expect(autoLookback(12, 10, 2).lookback).toBe(8);
    // The median series' train rows; a number from the spec stays as it is.
    const auto = sizeSpec(parseSpec({ target: 'v' }), [40, 400, 1000], 1);
    expect(auto.spec.window.lookback).toBe(24);
    expect(sizeSpec(parseSpec({ target: 'v' }), [40, 60, 1000], 1).spec.window.lookback).toBe(15);
    expect(sizeSpec(parseSpec({ target: 'v', window: { lookback: 7 } }), [40], 12)).toMatchObject({
      spec: { window: { lookback: 7 } },
      how: null,
    });
  });
});
