// The runs table's columns, sorting and filtering as pure functions, so the component stays a
// thin view and 1,000 rows sort and filter without touching the DOM.
import type { RunRow, RunStatus } from '../../../core/contract.js';
import { compileQuery, type FieldValue, type QueryError } from './runQuery.js';

export type SortDir = 'asc' | 'desc';
export type CellValue = number | string | null;

export function summaryOf(run: RunRow, key: string): { last: number; best: number; min: number } | null {
  return run.summary.find((s) => s.key === key) ?? null;
}

export function bestValLoss(run: RunRow): number | null {
  return summaryOf(run, 'val_loss')?.best ?? null;
}

export function durationSeconds(run: RunRow, now: number): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  const s = (end - Date.parse(run.startedAt)) / 1000;
  return Number.isFinite(s) ? s : null;
}

/** Test RMSE (forecast) and MASE, or accuracy (classify). */
export function testMetric(run: RunRow, name: 'rmse' | 'mase' | 'accuracy'): number | null {
  const v = run.test[`test.${name}`];
  return v === undefined ? null : v;
}

export interface RunColumn {
  key: string;
  label: string;
  numeric: boolean;
  /** Least width in rem (fits the usual values and the header with its sort arrow). */
  width: number;
  /** Share of the spare width the column takes (0: fixed). */
  grow?: number;
  /** Full name for the header's tooltip (a RunSpec path or metric key). */
  title?: string;
  value(run: RunRow, now: number): CellValue;
}

export interface RunColumnBase extends Omit<RunColumn, 'width'> {
  width?: number;
}

const col = (c: RunColumnBase): RunColumn => ({ width: c.numeric ? 6 : 7, ...c });

/** The fixed columns; `id` and `name` always show (sticky at the left). */
export const RUN_COLUMNS: RunColumn[] = [
  col({ key: 'id', label: '#', numeric: true, width: 3.5, value: (r) => r.id }),
  col({ key: 'name', label: 'Name', numeric: false, width: 10, grow: 2, value: (r) => r.name }),
  col({ key: 'status', label: 'Status', numeric: false, width: 7.5, value: (r) => r.status }),
  col({ key: 'created', label: 'Created', numeric: false, width: 10, value: (r) => r.createdAt }),
  col({ key: 'dataset', label: 'Dataset', numeric: false, grow: 1, value: (r) => r.datasetName }),
  col({ key: 'cell', label: 'Cell', numeric: false, width: 6.5, value: (r) => r.spec.model.cell }),
  col({ key: 'units', label: 'Units', numeric: true, width: 4.5, value: (r) => r.spec.model.layers[0]?.units ?? null }),
  col({ key: 'lookback', label: 'Lookback', numeric: true, width: 6.5, value: (r) => r.spec.window.lookback }),
  col({ key: 'valLoss', label: 'Best val loss', numeric: true, width: 8.5, value: (r) => bestValLoss(r) }),
  col({ key: 'rmse', label: 'Test RMSE', numeric: true, width: 7, value: (r) => testMetric(r, 'rmse') }),
  col({
    key: 'mase',
    label: 'MASE / acc.',
    numeric: true,
    width: 7.5,
    value: (r) => (r.spec.task === 'classify' ? testMetric(r, 'accuracy') : testMetric(r, 'mase')),
  }),
  col({ key: 'duration', label: 'Duration', numeric: true, width: 6.5, value: (r, now) => durationSeconds(r, now) }),
  col({ key: 'params', label: 'Weights', numeric: true, width: 6.5, value: (r) => r.paramCount }),
  col({ key: 'tags', label: 'Tags', numeric: false, grow: 1, value: (r) => r.tags.join(', ') }),
];

export const FIXED_COLUMNS = ['id', 'name'];
export const DEFAULT_COLUMNS = [
  'status',
  'created',
  'dataset',
  'cell',
  'units',
  'lookback',
  'valLoss',
  'rmse',
  'mase',
  'duration',
  'tags',
];

type Flat = Record<string, number | string | boolean | null>;
const flatCache = new WeakMap<object, Flat>();

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (value === null || value === undefined) {
    if (prefix) out[prefix] = null;
  } else if (Array.isArray(value)) {
    // Lists of plain values (targets, head layers) read as one value: "load_mw, temp".
    if (value.every((v) => typeof v !== 'object' || v === null)) out[prefix] = value.join(', ');
    else value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value as number | string | boolean;
  }
  return out;
}

/** The run's RunSpec as dotted paths (`model.layers.0.units`) with typed values, cached per spec. */
export function flatParams(run: RunRow): Flat {
  let f = flatCache.get(run.spec);
  if (!f) {
    f = flatten(run.spec, '', {});
    flatCache.set(run.spec, f);
  }
  return f;
}

/** A metric by key: a test key (`test.mase`) or a summary key (`val_loss` = best; `val_loss.last`, `.min`, `.max`). */
export function metricValue(run: RunRow, key: string): number | null {
  if (key in run.test) return run.test[key] ?? null;
  const m = /^(.*)\.(best|last|min|max)$/.exec(key);
  const s = summaryOf(run, m ? m[1]! : key);
  if (!s) return null;
  const part = (m?.[2] ?? 'best') as 'best' | 'last' | 'min' | 'max';
  return (s as Record<typeof part, number>)[part] ?? null;
}

/** A short header for a RunSpec path: its last named part (`model.layers.0.units` → units). */
export function paramLabel(path: string): string {
  return (
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .at(-1) ?? path
  );
}

const paramColumn = (path: string): RunColumn => ({
  key: `param:${path}`,
  label: paramLabel(path),
  title: path,
  numeric: false,
  width: 7,
  value: (r) => {
    const v = flatParams(r)[path];
    return v === undefined || v === null ? null : typeof v === 'boolean' ? String(v) : v;
  },
});

const metricColumn = (key: string): RunColumn => ({
  key: `metric:${key}`,
  label: key,
  title: key.includes('.') ? key : `${key} (best)`,
  numeric: true,
  width: 7.5,
  value: (r) => metricValue(r, key),
});

export function columnByKey(key: string): RunColumn {
  if (key.startsWith('param:')) return paramColumn(key.slice(6));
  if (key.startsWith('metric:')) return metricColumn(key.slice(7));
  return RUN_COLUMNS.find((c) => c.key === key) ?? RUN_COLUMNS[0]!;
}

/** What the column chooser offers for these runs: the fixed columns, every RunSpec path, every metric. */
export function availableColumns(runs: readonly RunRow[]): { fixed: RunColumn[]; params: string[]; metrics: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const r of runs) {
    for (const p of Object.keys(flatParams(r))) params.add(p);
    for (const s of r.summary) metrics.add(s.key);
    for (const k of Object.keys(r.test)) metrics.add(k);
  }
  return {
    fixed: RUN_COLUMNS.filter((c) => !FIXED_COLUMNS.includes(c.key)),
    params: [...params].sort(),
    metrics: [...metrics].sort(),
  };
}

/** The columns to draw: the fixed ones, then the chosen ones in order (unknown keys dropped). */
export function shownColumns(chosen: readonly string[]): RunColumn[] {
  const keys = [...FIXED_COLUMNS, ...chosen.filter((k) => !FIXED_COLUMNS.includes(k))];
  return keys
    .filter((k) => k.startsWith('param:') || k.startsWith('metric:') || RUN_COLUMNS.some((c) => c.key === k))
    .map(columnByKey);
}

/** The CSS grid columns: the selection checkbox, then one track per column. */
export function gridTemplate(columns: readonly RunColumn[]): string {
  return ['2.25rem', ...columns.map((c) => (c.grow ? `minmax(${c.width}rem, ${c.grow}fr)` : `${c.width}rem`))].join(
    ' ',
  );
}

/** The table's least width in rem: past it, the table scrolls sideways instead of squeezing columns. */
export function minWidthRem(columns: readonly RunColumn[]): number {
  return columns.reduce((sum, c) => sum + c.width, 2.25);
}

const COLUMNS_KEY = 'rnnwb.runs.columns';

/** The part of Web Storage used here (typed locally: core's tsconfig has no DOM library). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
function browserStorage(): KeyValueStore | undefined {
  try {
    return (globalThis as { localStorage?: KeyValueStore }).localStorage;
  } catch {
    return undefined; // an opaque origin refuses storage
  }
}

/** The chosen columns kept in localStorage (falls back to the defaults when absent or unreadable). */
export function loadColumns(storage: Pick<KeyValueStore, 'getItem'> | undefined = browserStorage()): string[] {
  try {
    const v: unknown = JSON.parse(storage?.getItem(COLUMNS_KEY) ?? 'null');
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* unreadable: defaults */
  }
  return [...DEFAULT_COLUMNS];
}

export function saveColumns(
  columns: readonly string[],
  storage: Pick<KeyValueStore, 'setItem'> | undefined = browserStorage(),
): void {
  try {
    storage?.setItem(COLUMNS_KEY, JSON.stringify(columns));
  } catch {
    /* private mode or full: the choice lasts for this page only */
  }
}

/** Short names the query language accepts besides RunSpec paths and metric keys. */
const ALIASES: Record<string, (r: RunRow, now: number) => FieldValue> = {
  id: (r) => r.id,
  name: (r) => r.name,
  status: (r) => r.status,
  dataset: (r) => r.datasetName,
  cell: (r) => r.spec.model.cell,
  units: (r) => r.spec.model.layers[0]?.units ?? null,
  layers: (r) => r.spec.model.layers.length,
  lookback: (r) => r.spec.window.lookback,
  horizon: (r) => r.spec.window.horizon,
  lr: (r) => r.spec.train.learningRate,
  batch: (r) => r.spec.train.batchSize,
  epochs: (r) => r.spec.train.epochs,
  seed: (r) => r.seed,
  target: (r) => r.spec.target,
  tag: (r) => r.tags,
  tags: (r) => r.tags,
  notes: (r) => r.notes,
  created: (r) => r.createdAt,
  duration: (r, now) => durationSeconds(r, now),
  params: (r) => r.paramCount,
  backend: (r) => r.backend,
};

/** A query field's value for one run: an alias, a metric key or a RunSpec path. */
export function fieldValue(run: RunRow, field: string, now = Date.now()): FieldValue {
  const alias = ALIASES[field.toLowerCase()];
  if (alias) return alias(run, now);
  const m = metricValue(run, field);
  if (m !== null) return m;
  const p = flatParams(run)[field];
  return p === undefined ? undefined : p;
}

/** Whether any run knows the field (so a typo is reported rather than matching nothing). */
export function knownField(runs: readonly RunRow[], field: string): boolean {
  if (field.toLowerCase() in ALIASES) return true;
  const base = field.replace(/\.(best|last|min|max)$/, '');
  return runs.some(
    (r) => field in r.test || r.summary.some((s) => s.key === base) || flatParams(r)[field] !== undefined,
  );
}

/** Sorts a copy; empty values go last whatever the direction. */
export function sortRuns(rows: readonly RunRow[], key: string, dir: SortDir, now = Date.now()): RunRow[] {
  const column = columnByKey(key);
  const sign = dir === 'asc' ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: column.value(r, now) }));
  keyed.sort((a, b) => {
    if (a.v === null || a.v === '') return b.v === null || b.v === '' ? a.r.id - b.r.id : 1;
    if (b.v === null || b.v === '') return -1;
    const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
    return c !== 0 ? sign * c : a.r.id - b.r.id;
  });
  return keyed.map((k) => k.r);
}

function textMatch(r: RunRow, words: string[]): boolean {
  const hay = [`#${r.id}`, r.name, r.datasetName ?? '', r.status, r.spec.model.cell, r.notes, ...r.tags]
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * Applies the filter box: plain words match name, dataset, status, cell, tags, notes and `#id`;
 * a query (`units > 32 and cell = gru and test.mase < 1`, runQuery.ts) is evaluated per run. An
 * invalid query keeps no rows and says why, with the column.
 */
export function queryRuns(
  rows: readonly RunRow[],
  query: string,
  status: RunStatus | '' = '',
  now = Date.now(),
): { rows: RunRow[]; error: QueryError | null; structured: boolean } {
  const q = compileQuery<RunRow>(
    query,
    (r, f) => fieldValue(r, f, now),
    (f) => knownField(rows, f),
    textMatch,
  );
  if (!q.ok) return { rows: [], error: q.error, structured: true };
  return {
    rows: rows.filter((r) => (!status || r.status === status) && q.test(r)),
    error: null,
    structured: q.structured,
  };
}

/** queryRuns without the error (an invalid query keeps nothing). */
export function filterRuns(rows: readonly RunRow[], query: string, status: RunStatus | '' = ''): RunRow[] {
  return queryRuns(rows, query, status).rows;
}

/** Everything the runs table's user chose, in one object (so it can live in the URL or storage). */
export interface RunsView {
  sortKey: string;
  sortDir: SortDir;
  query: string;
  status: RunStatus | '';
  /** Chosen column keys besides the fixed ones (persisted in localStorage). */
  columns: string[];
  /** Grouping parameters; null = no grouping. */
  groupBy: string[] | null;
}

export function defaultView(columns: string[] = [...DEFAULT_COLUMNS]): RunsView {
  return { sortKey: 'id', sortDir: 'desc', query: '', status: '', columns, groupBy: null };
}

/** Rows of a virtual list to render for a scroll position. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { start, end };
}

/** Parses a comma-separated tag list. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}
