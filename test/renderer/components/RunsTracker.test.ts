// @vitest-environment jsdom
// The runs table as a tracker (issue 14): query filter with its errors and the "no matching runs"
// message, chosen columns kept in localStorage, groups with mean ± std, the notes indicator and
// the created column.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { RunSpecSchema } from '../../../core/contract.js';
import RunsTable from '../../../renderer/src/components/RunsTable.svelte';
import { makeRun } from '../runs.js';

const spec = (cell: 'gru' | 'lstm', units: number, seed: number) =>
  RunSpecSchema.parse({ target: 'load_mw', model: { cell, layers: [{ units }] }, train: { seed } });
// 2 cells × 2 unit sizes × 3 seeds.
const runs = Array.from({ length: 12 }, (_, i) => {
  const cell = i % 2 ? 'lstm' : 'gru';
  const units = i % 4 < 2 ? 16 : 64;
  return makeRun(i + 1, {
    spec: spec(cell, units, 1 + Math.floor(i / 4)),
    valLoss: 0.1 * (1 + (i % 4)) + 0.01 * Math.floor(i / 4),
    notes: i === 0 ? 'baseline attempt' : '',
    createdAt: `2026-03-${String(i + 1).padStart(2, '0')}T10:30:00.000Z`,
  });
});

function setup() {
  return render(RunsTable, { runs, selected: [], onToggle: () => {}, onOpen: () => {}, onFocus: () => {} });
}
const rowIds = () => screen.queryAllByTestId('run-row').map((el) => Number(el.dataset.runId));
const query = (text: string) => fireEvent.input(screen.getByTestId('runs-filter'), { target: { value: text } });

describe('RunsTable as a tracker', () => {
  beforeEach(() => {
    localStorage.clear();
    history.replaceState(null, '', '/'); // the table writes its sort and filter into the address
  });

  it('filters with a query, explains a bad one with its column, and says when nothing matches', async () => {
    setup();
    expect(screen.getByTestId('runs-filter').getAttribute('title')).toContain('units > 32 and cell = gru');
    await query('units > 32 and cell = gru and val_loss < 0.35');
    expect(rowIds().sort((a, b) => a - b)).toEqual([3, 7, 11]);
    expect(screen.getByTestId('runs-count').textContent).toBe('3 of 12 runs');
    await query('units > 32 cell = gru');
    expect(screen.getByTestId('query-error').textContent).toBe(
      'unexpected "cell"; join conditions with and / or (column 12)',
    );
    expect(screen.getByTestId('runs-filter').getAttribute('aria-invalid')).toBe('true');
    expect(rowIds()).toEqual([]);
    await query('units > 1000');
    expect(screen.queryByTestId('query-error')).toBeNull();
    expect(screen.getByTestId('runs-empty').textContent).toContain('No matching runs');
  });

  it('adds a parameter and a metric column from the chooser and keeps the choice in localStorage', async () => {
    const first = setup();
    const chooser = screen.getByTestId('columns-chooser') as HTMLDetailsElement;
    chooser.open = true;
    await fireEvent(chooser, new Event('toggle'));
    await fireEvent.click(await screen.findByTestId('column-param:train.seed'));
    await fireEvent.click(screen.getByTestId('column-metric:test.mase'));
    const row = screen.getAllByTestId('run-row').find((r) => r.dataset.runId === '12')!;
    expect(row.querySelector('[data-col="param:train.seed"]')!.textContent!.trim()).toBe('3');
    expect(row.querySelector('[data-col="metric:test.mase"]')!.textContent!.trim()).toBe('1.012');
    expect(JSON.parse(localStorage.getItem('rnnwb.runs.columns')!)).toContain('param:train.seed');
    first.unmount();
    setup();
    expect(screen.getByTestId('sort-param:train.seed')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('sort-param:train.seed'));
    expect(screen.getByTestId('sort-param:train.seed').textContent).toContain('▲');
    expect(
      rowIds()
        .slice(0, 4)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4]);
  });

  it('groups by all params but the seed with counts and mean ± std, and a group filters the table', async () => {
    setup();
    await fireEvent.click(screen.getByTestId('group-toggle'));
    const groups = screen.getAllByTestId('group-row');
    expect(groups).toHaveLength(4);
    expect(groups.map((g) => within(g).getByTestId('group-count').textContent)).toEqual(['3', '3', '3', '3']);
    // Runs 1, 5, 9 (gru, 16): val loss 0.10, 0.11, 0.12.
    const g = groups[0]!;
    expect(g.textContent).toContain('gru');
    expect(g.querySelector('[data-col="valLoss"]')!.textContent).toContain('0.11 ± 0.01');
    expect(g.querySelector('[data-col="valLoss"]')!.textContent).toContain('0.1 … 0.12');
    await fireEvent.click(within(g).getByTestId('group-show'));
    expect((screen.getByTestId('runs-filter') as HTMLInputElement).value).toBe(
      'model.cell = gru and model.layers.0.units = 16',
    );
    expect(rowIds().sort((a, b) => a - b)).toEqual([1, 5, 9]);
  });

  it('marks runs with notes and shows when each run was created', () => {
    setup();
    const row1 = screen.getAllByTestId('run-row').find((r) => r.dataset.runId === '1')!;
    expect(within(row1).getByTestId('notes-indicator').getAttribute('title')).toBe('Notes: baseline attempt');
    expect(row1.querySelector('[data-col="created"]')!.textContent!.trim()).toBe('2026-03-01 10:30');
    expect(screen.getAllByTestId('notes-indicator')).toHaveLength(1);
  });

  it('moves the row focus with the arrow keys, Home and End, scrolling the virtual list', async () => {
    const many = Array.from({ length: 500 }, (_, i) => makeRun(i + 1));
    render(RunsTable, { runs: many, selected: [], onToggle: () => {}, onOpen: () => {}, onFocus: () => {} });
    const first = screen.getAllByTestId('run-row')[0]!;
    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowDown' });
    await new Promise((r) => setTimeout(r, 0));
    expect((document.activeElement as HTMLElement).dataset.runId).toBe('499');
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await new Promise((r) => setTimeout(r, 0));
    expect((document.activeElement as HTMLElement).dataset.runId).toBe('1');
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    await new Promise((r) => setTimeout(r, 0));
    expect((document.activeElement as HTMLElement).dataset.runId).toBe('2');
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    await new Promise((r) => setTimeout(r, 0));
    expect((document.activeElement as HTMLElement).dataset.runId).toBe('500');
  });
});
