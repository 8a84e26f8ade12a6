// @vitest-environment jsdom
// Issue 14 bug 6: the Compare selection and the runs table's sort and filter live in the address,
// so a reload keeps them and a link shares them.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import RunsTable from '../../../renderer/src/components/RunsTable.svelte';
import { readUrlState, withUrlState, writeUrlState } from '../../../renderer/src/lib/urlState.js';
import { makeRun } from '../runs.js';

beforeEach(() => history.replaceState(null, '', '/'));

describe('urlState', () => {
  it('round-trips the state and keeps other parameters and the hash route', () => {
    history.replaceState(null, '', '/?x=1#/runs');
    writeUrlState({ compare: [3, 7], sort: { key: 'valLoss', dir: 'asc' }, q: 'lstm 64', status: 'completed' });
    expect(location.hash).toBe('#/runs');
    expect(new URLSearchParams(location.search).get('x')).toBe('1');
    expect(readUrlState()).toEqual({
      compare: [3, 7],
      sort: { key: 'valLoss', dir: 'asc' },
      q: 'lstm 64',
      status: 'completed',
    });
    writeUrlState({ compare: [], q: '' });
    expect(location.search).toBe('?x=1&sort=valLoss%3Aasc&status=completed');
  });

  it('ignores malformed values', () => {
    expect(readUrlState('?compare=1,x,-2,1,4&sort=a:sideways&status=%3Cb%3E')).toEqual({
      compare: [1, 4],
      sort: null,
      q: '',
      status: '',
    });
    expect(withUrlState('', { sort: null })).toBe('');
  });
});

describe('RunsTable keeps its sort and filter in the address', () => {
  const runs = Array.from({ length: 30 }, (_, i) => makeRun(i + 1, { valLoss: ((i * 7) % 30) / 10 + 0.01 }));
  const props = () => ({ runs, selected: [], onToggle: vi.fn(), onOpen: vi.fn(), onFocus: vi.fn() });
  const rowIds = () => screen.getAllByTestId('run-row').map((el) => Number(el.dataset.runId));

  it('writes a sort and a filter to the address, and a reload (a new table) starts from them', async () => {
    const first = render(RunsTable, props());
    await fireEvent.click(screen.getByTestId('sort-valLoss'));
    await fireEvent.input(screen.getByTestId('runs-filter'), { target: { value: 'run-2' } });
    expect(readUrlState().sort).toEqual({ key: 'valLoss', dir: 'asc' });
    expect(readUrlState().q).toBe('run-2');
    const before = rowIds();
    first.unmount();

    render(RunsTable, props());
    expect(rowIds()).toEqual(before);
    expect((screen.getByTestId('runs-filter') as HTMLInputElement).value).toBe('run-2');
  });
});
