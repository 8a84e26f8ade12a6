// What a page shows that a reload must keep and a link must share (issue 14 bug 6): the Compare
// selection and the runs table's sort and filter live in the address's query string
// (`?compare=3,7&sort=valLoss:asc&q=lstm&status=completed`), beside the hash route (`#/runs`).
// Written with history.replaceState, so typing in a filter adds no history entries.

export type UrlDir = 'asc' | 'desc';

export interface UrlState {
  /** Runs selected for Compare, in selection order. */
  compare: number[];
  /** The runs table's sort, when one was chosen. */
  sort: { key: string; dir: UrlDir } | null;
  /** The runs table's text filter. */
  q: string;
  /** The runs table's status filter ('' = all). */
  status: string;
}

/** Reads the state from an address; anything malformed is ignored rather than trusted. */
export function readUrlState(search: string = globalThis.location?.search ?? ''): UrlState {
  const p = new URLSearchParams(search);
  const compare = (p.get('compare') ?? '')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const sortMatch = /^([A-Za-z0-9_.@-]{1,80}):(asc|desc)$/.exec(p.get('sort') ?? '');
  return {
    compare: [...new Set(compare)],
    sort: sortMatch ? { key: sortMatch[1]!, dir: sortMatch[2] as UrlDir } : null,
    q: (p.get('q') ?? '').slice(0, 500),
    status: /^[a-z]{0,20}$/.test(p.get('status') ?? '') ? (p.get('status') ?? '') : '',
  };
}

/** The query string with `patch` applied; other parameters (and empty values removed) kept as they were. */
export function withUrlState(search: string, patch: Partial<UrlState>): string {
  const p = new URLSearchParams(search);
  const set = (k: keyof UrlState, v: string) => (v ? p.set(k, v) : p.delete(k));
  if (patch.compare) set('compare', patch.compare.join(','));
  if (patch.sort !== undefined) set('sort', patch.sort ? `${patch.sort.key}:${patch.sort.dir}` : '');
  if (patch.q !== undefined) set('q', patch.q);
  if (patch.status !== undefined) set('status', patch.status);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Applies `patch` to the address bar without a history entry or a reload (no-op outside a browser). */
export function writeUrlState(patch: Partial<UrlState>): void {
  if (typeof location === 'undefined' || typeof history === 'undefined') return;
  const search = withUrlState(location.search, patch);
  if (search === location.search) return;
  history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
}

/** A runs-table view with the address's sort and filter laid over it (a reload, a shared link). */
export function withUrlView<V extends { sortKey: string; sortDir: UrlDir; query: string; status: string }>(
  view: V,
  url: UrlState = readUrlState(),
): V {
  return {
    ...view,
    ...(url.sort ? { sortKey: url.sort.key, sortDir: url.sort.dir } : {}),
    query: url.q || view.query,
    status: url.status || view.status,
  };
}
