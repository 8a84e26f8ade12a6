// @vitest-environment jsdom
// The study page's best trial and, for a study tune re-ranked, the trial it picked by a backtest
// before the test split, beside it (renderer/src/components/study/StudyPick.svelte).
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { StudyFile, StudyRow, type TrialRow } from '../../../core/study-schemas.js';
import StudyPick from '../../../renderer/src/components/study/StudyPick.svelte';

const trial = (t: number, value: number, testMae: number): TrialRow => ({
  trial: t,
  runId: 10 + t,
  status: 'completed',
  params: {},
  seed: 42,
  configHash: `c${t}`,
  rung: null,
  epochsDone: 20,
  value,
  valLoss: value,
  test: { 'test.mae': testMae },
});
const trials = [trial(0, 0.9, 2.25), trial(41, 0.7, 1.37), trial(7, 0.6, 2.4)];

function study(selection: StudyRow['selection']): StudyRow {
  return StudyRow.parse({
    id: 3,
    uuid: 'u',
    name: 'tune y',
    datasetId: 1,
    state: 'completed',
    file: StudyFile.parse({ base: { target: 'y' }, space: { 'model.cell': ['lstm', 'gru'] }, strategy: 'tpe' }),
    objective: { metric: 'val_mae', direction: 'min' },
    concurrency: 1,
    plannedTrials: null,
    createdAt: '2026-12-01T12:00:00Z',
    endedAt: '2026-12-01T12:03:00Z',
    elapsedSeconds: 180,
    error: null,
    trials,
    best: trials[2],
    selection,
    counts: { completed: 3 },
  });
}

/** The defaults' candidate (trial 1) and tune's pick (trial 42), as rerank.ts stores them. */
const defaults = { trial: 0, runId: 10, value: 0.9, backtestId: 1, backtestMae: 2.0, folds: 3 };
const pick42 = { trial: 41, runId: 51, value: 0.7, backtestId: 3, backtestMae: 1.5, folds: 3 };

const text = (id: string) => screen.getByTestId(id).textContent!.replace(/\s+/g, ' ');

describe('StudyPick', () => {
  it('shows the trial picked by backtest beside the best by validation', () => {
    render(StudyPick, {
      study: study({
        trial: 41,
        runId: 51,
        by: 'backtest',
        candidates: [defaults, { trial: 7, runId: 17, value: 0.6, backtestId: 2, backtestMae: 2.5, folds: 3 }, pick42],
      }),
    });
    expect(text('study-best')).toContain('Best by val_mae: 0.6 — trial 8, run #17');
    expect(text('study-best')).toContain('test MAE 2.4');
    const picked = text('study-selected');
    expect(picked).toContain('Selected by backtest: trial 42, run #51');
    expect(picked).toContain('mean backtest MAE 1.5 over 3 folds before the test split');
    expect(picked).toContain("beat the defaults' backtest MAE 2 by at least 1%");
    expect(picked).toContain('3 of 3 candidates backtested');
    expect(picked).toContain('test MAE 1.37');
    expect(screen.getByTestId('study-selected').querySelector('a')!.getAttribute('href')).toBe('#/live/51');
  });

  it('names the paired test when the pick passed it', () => {
    render(StudyPick, {
      study: study({
        trial: 41,
        runId: 51,
        by: 'backtest',
        candidates: [defaults, { ...pick42, paired: { windows: 239, diff: -0.5, t: -2.48 } }],
      }),
    });
    expect(text('study-selected')).toContain(
      "beat the defaults' backtest MAE 2 by at least 1% window by window (paired t -2.48 over 239 windows)",
    );
  });

  it('says when the defaults were kept', () => {
    render(StudyPick, {
      study: study({
        trial: 0,
        runId: 10,
        by: 'default',
        candidates: [
          defaults,
          { trial: 7, runId: 17, value: 0.6, backtestId: null, backtestMae: null, folds: 0, note: 'not backtested' },
        ],
      }),
    });
    expect(text('study-selected')).toContain('trial 1, run #10');
    expect(text('study-selected')).toContain(
      'the defaults: no trial beat them by 1% on the backtest and on every fold; 1 of 2',
    );
  });

  it('names a pick averaged with ETS, its own run and test MAE, and the defaults with ETS it beat', () => {
    const withEts = (c: typeof defaults, mae: number, t?: number) => ({
      ...c,
      combine: 'ets' as const,
      backtestMae: mae,
      ...(t === undefined ? {} : { paired: { windows: 200, diff: -0.1, t } }),
    });
    render(StudyPick, {
      study: study({
        trial: 41,
        runId: 60,
        by: 'backtest',
        combine: 'ets',
        test: { 'test.mae': 1.11 },
        candidates: [defaults, withEts(defaults, 1.8, -3), pick42, withEts(pick42, 1.2, -4.5)],
      }),
    });
    const picked = text('study-selected');
    expect(picked).toContain('Selected by backtest: trial 42, averaged with its ETS baseline, run #60');
    expect(picked).toContain('mean backtest MAE 1.2 over 3 folds');
    expect(picked).toContain(
      "beat the defaults with ETS' backtest MAE 1.8 by at least 1% window by window (paired t -4.50",
    );
    expect(picked).toContain('2 of 2 candidates backtested');
    expect(picked).toContain('test MAE 1.11');
  });

  it('shows only the best, as before, for a study tune did not re-rank', () => {
    render(StudyPick, { study: study(null) });
    expect(text('study-best')).toMatch(/^ ?Best: 0.6 — trial 8, run #17/);
    expect(screen.queryByTestId('study-selected')).toBeNull();
  });
});
