// @vitest-environment jsdom
// A backtest's fold table and chart on the run page: for a long-format dataset (its series' windows
// share time stamps) a series picker, and the chart draws one series at a time.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Predictions } from '../../../core/contract.js';
import BacktestFolds from '../../../renderer/src/components/BacktestFolds.svelte';
import type { Client } from '../../../renderer/src/lib/api.js';
import { makeRun } from '../runs.js';

const t0 = Date.UTC(2024, 0, 1);
const preds = (series?: string[]): Predictions => ({
  runId: 7,
  split: 'test',
  outputs: ['y@1'],
  actual: [1, 2, 100, 200],
  predicted: [1, 2, 100, 200],
  time: [t0, t0 + 86_400_000, t0, t0 + 86_400_000],
  ...(series ? { series } : {}),
});

function client(p: Predictions): Client {
  const backtest = {
    id: 3,
    name: 'bt',
    status: 'completed',
    folds: 1,
    step: 2,
    summary: {},
    foldRuns: [{ fold: 0, runId: 7, status: 'completed', cutoff: 0, test: { 'test.mae': 1 } }],
  };
  return {
    call: (method: string) => Promise.resolve({ ok: true, value: method === 'backtests.get' ? backtest : p }),
  } as unknown as Client;
}

describe('BacktestFolds', () => {
  it('offers the series of a long-format dataset, the first one chosen', async () => {
    const run = makeRun(7, { tags: ['backtest:3'] });
    render(BacktestFolds, { client: client(preds(['north', 'north', 'south', 'south'])), run, theme: 'light' });
    const pick = (await waitFor(() => screen.getByTestId('backtest-series'))) as HTMLSelectElement;
    expect([...pick.options].map((o) => o.textContent)).toEqual(['north', 'south']);
    expect(pick.selectedIndex).toBe(0);
    await fireEvent.change(pick, { target: { value: 'south' } });
    expect(pick.selectedOptions[0]!.textContent).toBe('south');
  });

  it('has no picker for one series', async () => {
    const run = makeRun(7, { tags: ['backtest:3'] });
    render(BacktestFolds, { client: client(preds()), run, theme: 'light' });
    await waitFor(() => screen.getByTestId('backtest-folds'));
    expect(screen.queryByTestId('backtest-series')).toBeNull();
  });
});
