// @vitest-environment jsdom
// The runs table component: 1,000 rows render as a window, headers sort, the filter narrows,
// checkboxes select for comparison, and the keyboard works.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import RunsTable from '../../../renderer/src/components/RunsTable.svelte';
import { makeRun } from '../runs.js';

const runs = Array.from({ length: 1000 }, (_, i) => makeRun(i + 1, { valLoss: ((i * 7919) % 1000) / 100 + 0.01 }));

function setup(selected: number[] = []) {
  const onToggle = vi.fn();
  const onOpen = vi.fn();
  const onFocus = vi.fn();
  const r = render(RunsTable, { runs, selected, onToggle, onOpen, onFocus, now: Date.parse('2026-01-02T00:00:00Z') });
  return { ...r, onToggle, onOpen, onFocus };
}

// The table keeps its sort and filter in the address (lib/urlState.ts): each test starts from a clean one.
beforeEach(() => history.replaceState(null, '', '/'));

const rowIds = () => screen.getAllByTestId('run-row').map((el) => Number(el.dataset.runId));

describe('RunsTable', () => {
  // How long this takes is reported by `npm run bench -- --suite renderer`, not asserted here.
  it('renders 1,000 runs as a short window of rows, newest first', () => {
    setup();
    const ids = rowIds();
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.length).toBeLessThan(40);
    expect(ids[0]).toBe(1000);
    expect(screen.getByTestId('runs-count').textContent).toBe('1000 of 1000 runs');
  });

  it('sorts by best val loss ascending, then descending, on header clicks', async () => {
    setup();
    await fireEvent.click(screen.getByTestId('sort-valLoss'));
    const asc = rowIds();
    const loss = (id: number) => runs[id - 1]!.summary[0]!.best;
    expect(loss(asc[0]!)).toBe(Math.min(...runs.map((r) => r.summary[0]!.best)));
    for (let i = 1; i < asc.length; i++) expect(loss(asc[i]!)).toBeGreaterThanOrEqual(loss(asc[i - 1]!));
    expect(screen.getByTestId('sort-valLoss').closest('[role="columnheader"]')!.getAttribute('aria-sort')).toBe(
      'ascending',
    );
    await fireEvent.click(screen.getByTestId('sort-valLoss'));
    expect(loss(rowIds()[0]!)).toBe(Math.max(...runs.map((r) => r.summary[0]!.best)));
  });

  it('filters by text and by status', async () => {
    setup();
    await fireEvent.input(screen.getByTestId('runs-filter'), { target: { value: 'run-99' } });
    expect(rowIds().sort((a, b) => a - b)).toEqual([99, 990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    expect(screen.getByTestId('runs-count').textContent).toBe('11 of 1000 runs');
    await fireEvent.input(screen.getByTestId('runs-filter'), { target: { value: '' } });
    await fireEvent.change(screen.getByTestId('runs-status'), { target: { value: 'failed' } });
    expect(screen.queryAllByTestId('run-row')).toHaveLength(0);
    expect(screen.getByTestId('runs-count').textContent).toBe('0 of 1000 runs');
  });

  it('selects runs with the checkbox and the Space key, opens with Enter', async () => {
    const { onToggle, onOpen } = setup([1000]);
    const box = screen.getByLabelText('Select run 999 to compare') as HTMLInputElement;
    expect((screen.getByLabelText('Select run 1000 to compare') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(box);
    expect(onToggle).toHaveBeenCalledWith(999, true);
    const row = screen.getAllByTestId('run-row')[2]!;
    await fireEvent.keyDown(row, { key: ' ' });
    expect(onToggle).toHaveBeenCalledWith(998, true);
    await fireEvent.keyDown(row, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith(998);
  });

  it('shows an em dash for runs without a best val loss and keeps them last', async () => {
    const few = [makeRun(1, { valLoss: null }), makeRun(2, { valLoss: 0.3 })];
    render(RunsTable, { runs: few, selected: [], onToggle: () => {}, onOpen: () => {}, onFocus: () => {} });
    await fireEvent.click(screen.getByTestId('sort-valLoss'));
    const rows = screen.getAllByTestId('run-row');
    expect(rows.map((r) => r.dataset.runId)).toEqual(['2', '1']);
    expect(rows[1]!.querySelector('[data-col="valLoss"]')!.textContent!.trim()).toBe('—');
  });
});
