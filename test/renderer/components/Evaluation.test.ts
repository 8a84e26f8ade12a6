// @vitest-environment jsdom
// The test evaluation as a reader sees it: the season and how it was found, a flag where the
// model loses to a baseline, ETS beside naive and seasonal naive, and compare's warning when
// the runs' MASE use different season lengths.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RunsEvaluation from '../../../renderer/src/components/evaluation/RunsEvaluation.svelte';
import TestEvaluation from '../../../renderer/src/components/evaluation/TestEvaluation.svelte';
import { makeRun } from '../runs.js';

const how =
  'monthly time column (100% of steps regular) → season 12, confirmed on the train split (ACF 0.61 at lag 12 vs bound 0.12, strength 0.74)';
const test = {
  season_length: 12,
  'test.windows': 40,
  'test.mae': 1.12,
  'test.rmse': 1.5,
  'naive.mae': 1.6,
  'naive.rmse': 2,
  'seasonal.mae': 1.3,
  'seasonal.rmse': 1.7,
  'ets.mae': 1,
  'ets.rmse': 1.4,
  'test.mae@1': 1,
};

describe('TestEvaluation', () => {
  it('shows the season and how it was found, flags the loss to ETS and puts ETS in the table', () => {
    render(TestEvaluation, {
      run: makeRun(1, { test, seasonHow: how, testNotes: ['ETS baseline for y: ETS(A,Ad,A) (AICc 12.3)'] }),
    });
    expect(screen.getByTestId('season').textContent).toBe(`Season 12: ${how}`);
    const flags = screen.getByTestId('verdicts').textContent!.replace(/\s+/g, ' ');
    expect(flags).toContain('loses to ETS by 12% MAE');
    expect(flags).toContain('beats naive by 30% MAE');
    expect(flags).toContain('beats seasonal naive by 14% MAE');
    expect(screen.getByTestId('verdicts').querySelector('.loses')!.textContent).toContain('ETS');
    const head = [...screen.getByTestId('test-metrics').querySelectorAll('th')].map((th) => th.textContent);
    expect(head).toEqual(['Metric', 'model', 'naive', 'seasonal naive', 'ETS']);
    const rows = [...screen.getByTestId('test-metrics').querySelectorAll('tbody tr')].map(
      (tr) => tr.firstElementChild!.textContent,
    );
    expect(rows).toEqual(['mae', 'rmse']); // no per-step or window-count rows
    expect(screen.getByTestId('test-notes').textContent).toContain('ETS(A,Ad,A)');
  });

  it('says "no season" and leaves the flags out for a classifier', () => {
    const { unmount } = render(TestEvaluation, {
      run: makeRun(2, {
        test: { season_length: 1, 'test.mae': 1, 'naive.mae': 1 },
        seasonHow: 'yearly time column: no season',
      }),
    });
    expect(screen.getByTestId('season').textContent).toBe('No season: yearly time column: no season');
    expect(screen.getByTestId('verdicts').textContent).toContain('ties with naive on MAE');
    unmount();
    render(TestEvaluation, { run: makeRun(3, { test: { 'test.accuracy': 0.9, 'naive.accuracy': 0.5 } }) });
    expect(screen.queryByTestId('season')).toBeNull();
    expect(screen.queryByTestId('verdicts')).toBeNull();
  });
});

describe('RunsEvaluation (compare)', () => {
  it('warns when the runs’ MASE use different season lengths, and lists each run’s season and flags', () => {
    render(RunsEvaluation, {
      runs: [
        makeRun(1, { test, seasonHow: how }),
        makeRun(2, { test: { ...test, season_length: 5 }, seasonHow: 'season 5 given in the spec' }),
      ],
    });
    expect(screen.getByTestId('season-warning').textContent).toMatch(
      /different season lengths \(12, 5\).*not comparable/s,
    );
    const list = screen.getByTestId('compare-evaluation').textContent!;
    expect(list).toContain('#2 run-2 · season 5: given in the spec');
    expect(screen.getByTestId('verdicts-1').textContent).toContain('loses to ETS by 12% MAE');
  });

  it('does not warn when the seasons agree, and names the common season once', () => {
    render(RunsEvaluation, { runs: [makeRun(1, { test, seasonHow: how }), makeRun(2, { test, seasonHow: how })] });
    expect(screen.queryByTestId('season-warning')).toBeNull();
    expect(screen.getByTestId('compare-season').textContent).toBe(`All runs: season 12: ${how}`); // said once
    expect(screen.getByTestId('compare-evaluation').textContent).not.toContain('season 12');
  });
});
