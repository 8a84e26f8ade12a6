// Pure helpers of the Studies page and the designer's "Sweep this" (renderer/src/lib/studyView.ts, sweep.ts).
import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../../core/spec.js';
import { buildStudy, sweepRows, type SweepOptions } from '../../../renderer/src/lib/sweep.js';
import {
  bestSoFar,
  brushActive,
  formatParam,
  inBrush,
  progressFraction,
  progressText,
  studyIdOfRun,
  trialAxes,
  trialCoords,
} from '../../../renderer/src/lib/studyView.js';

describe('study view helpers', () => {
  it('draws the best so far in trial order, minimising or maximising, never from a pruned trial', () => {
    const trials = [
      { trial: 2, value: 0.3, status: 'completed' as const },
      { trial: 0, value: 0.5, status: 'completed' as const },
      { trial: 1, value: 0.1, status: 'pruned' as const },
      { trial: 3, value: null, status: 'running' as const },
      { trial: 4, value: 0.4, status: 'completed' as const },
    ];
    expect(bestSoFar(trials, 'min')).toEqual([
      { trial: 0, value: 0.5, best: 0.5 },
      { trial: 1, value: 0.1, best: 0.5 },
      { trial: 2, value: 0.3, best: 0.3 },
      { trial: 4, value: 0.4, best: 0.3 },
    ]);
    expect(bestSoFar(trials, 'max').map((p) => p.best)).toEqual([0.5, 0.5, 0.5, 0.5]);
    const firstPruned = bestSoFar([{ trial: 0, value: 1, status: 'pruned' }], 'min');
    expect(firstPruned[0]!.best).toBeNaN();
  });

  it('puts trials on axes (numbers as values, anything else as sorted categories) and brushes them', () => {
    const trials = [
      { params: { lr: 0.01, cell: 'lstm' }, value: 0.4 },
      { params: { lr: 0.001, cell: 'gru' }, value: 0.2 },
      { params: { lr: 0.1, cell: 'gru' }, value: null },
    ];
    const axes = trialAxes(trials, ['lr', 'cell']);
    expect(axes).toEqual([
      { param: 'lr', kind: 'value', categories: [] },
      { param: 'cell', kind: 'category', categories: ['"gru"', '"lstm"'] },
    ]);
    const coords = trials.map((t) => trialCoords(t, axes));
    expect(coords[0]).toEqual([0.01, 1, 0.4]);
    expect(coords[2]![2]).toBeNaN();
    const pick = (brush: Parameters<typeof inBrush>[1]) => coords.flatMap((c, i) => (inBrush(c, brush) ? [i] : []));
    expect(pick({})).toEqual([0, 1, 2]);
    expect(pick({ 0: [[0.005, 0.5]] })).toEqual([0, 2]);
    expect(pick({ 1: [[-0.4, 0.3]] })).toEqual([1, 2]);
    // Reversed ends and two intervals on one axis; a brushed objective drops trials without a value.
    expect(
      pick({
        0: [
          [0.5, 0.05],
          [0, 0.002],
        ],
      }),
    ).toEqual([1, 2]);
    expect(pick({ 2: [[0, 1]] })).toEqual([0, 1]);
    expect(pick({ 0: [[0.005, 0.5]], 2: [[0, 1]] })).toEqual([0]);
    expect(brushActive({ 0: [] })).toBe(false);
    expect(brushActive({ 0: [], 1: [[0, 1]] })).toBe(true);
  });

  it("finds a run's study from its tag, formats params and progress", () => {
    expect(studyIdOfRun({ tags: ['x', 'study:12'] })).toBe(12);
    expect(studyIdOfRun({ tags: ['study:abc'] })).toBeNull();
    expect(studyIdOfRun(null)).toBeNull();
    expect(formatParam(0.000123456)).toBe('0.0001235');
    expect(formatParam(64)).toBe('64');
    expect(formatParam('gru')).toBe('gru');
    expect(formatParam([{ units: 8 }])).toBe('[{"units":8}]');
    const s = { counts: { completed: 3, pruned: 2, running: 1 }, plannedTrials: 10 };
    expect(progressText(s)).toBe('5 / 10');
    expect(progressFraction(s)).toBe(0.5);
    expect(progressText({ counts: { failed: 1 }, plannedTrials: null })).toBe('1');
    expect(progressFraction({ counts: {}, plannedTrials: null })).toBeNull();
  });
});

describe('sweep this', () => {
  const spec = defaultSpec('y');
  const opts: SweepOptions = { name: '', strategy: 'random', trials: 3, seeds: 1, prune: false, minEpochs: 1 };

  it('offers ranges around the numbers of the spec and lists of its choice fields, none ticked', () => {
    const rows = sweepRows(spec);
    const lr = rows.find((r) => r.path === 'train.learningRate');
    expect(lr).toMatchObject({ kind: 'range', int: false, log: true, on: false });
    if (lr?.kind !== 'range') throw new Error('no lr row');
    expect(lr.min).toBeCloseTo(0.0003, 12);
    expect(lr.max).toBeCloseTo(0.03, 12);
    expect(rows.find((r) => r.path === 'model.layers.*.units')).toMatchObject({ int: true, min: 16, max: 128 });
    expect(rows.find((r) => r.path === 'model.cell')).toMatchObject({
      kind: 'choice',
      chosen: ['simpleRNN', 'lstm', 'gru'],
    });
    expect(rows.every((r) => !r.on)).toBe(true);
  });

  it('builds the studies.create arguments from the ticked rows', () => {
    const rows = sweepRows(spec).map((r) =>
      r.path === 'train.learningRate'
        ? { ...r, on: true }
        : r.path === 'model.cell'
          ? { ...r, on: true, chosen: ['gru', 'lstm'] }
          : r,
    );
    const r = buildStudy(7, { target: 'y' }, rows, { ...opts, name: ' lr sweep ', prune: true, minEpochs: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.args).toMatchObject({
      datasetId: 7,
      name: 'lr sweep',
      base: { target: 'y' },
      strategy: 'random',
      trials: 3,
      seeds: 1,
      prune: { kind: 'asha', minEpochs: 2, reduction: 3 },
      space: { 'model.cell': ['gru', 'lstm'] },
    });
    expect(Object.keys(r.args.space)).toEqual(['train.learningRate', 'model.cell']);
  });

  it('names what is wrong: nothing ticked, empty list, reversed or fractional or non-positive log range, bad counts', () => {
    const rows = sweepRows(spec);
    const tick = (path: string, patch: object) => rows.map((r) => (r.path === path ? { ...r, on: true, ...patch } : r));
    const err = (rs: typeof rows, o = opts) => {
      const r = buildStudy(1, {}, rs, o);
      return r.ok ? 'ok' : `${r.field}: ${r.message}`;
    };
    expect(err(rows)).toMatch(/^space: tick at least one/);
    expect(err(tick('model.cell', { chosen: [] }))).toMatch(/^model.cell: .*at least one/);
    expect(err(tick('window.lookback', { min: 48, max: 12 }))).toMatch(/min must be below max/);
    expect(err(tick('window.lookback', { min: 1.5, max: 12 }))).toMatch(/whole numbers/);
    expect(err(tick('train.learningRate', { min: 0, max: 0.1 }))).toMatch(/log range must start above 0/);
    expect(err(tick('train.learningRate', {}), { ...opts, trials: 0 })).toMatch(/^trials:/);
    expect(err(tick('train.learningRate', {}), { ...opts, seeds: 1.5 })).toMatch(/^seeds:/);
    expect(err(tick('train.learningRate', {}), { ...opts, prune: true, minEpochs: 0 })).toMatch(/^minEpochs:/);
    expect(err(tick('train.learningRate', {}))).toBe('ok');
  });

  it('offers the lookback even when the spec says auto (the default), around 24', () => {
    const row = sweepRows(spec).find((r) => r.path === 'window.lookback');
    expect(spec.window.lookback).toBe('auto');
    expect(row).toMatchObject({ kind: 'range', min: 12, max: 48 });
  });
});
