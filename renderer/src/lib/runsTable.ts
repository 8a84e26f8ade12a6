// The runs table's columns, sorting and filtering as pure functions, so the component stays a
// thin view and 1,000 rows sort and filter without touching the DOM.
import type { RunRow, RunStatus } from '../../../core/contract.js';

export type SortDir = 'asc' | 'desc';
export type CellValue = number | string | null;

export interface RunColumn {
  key: string;
  label: string;
  numeric: boolean;
  value(run: RunRow, now: number): CellValue;
}

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

export const RUN_COLUMNS: RunColumn[] = [
  { key: 'id', label: '#', numeric: true, value: (r) => r.id },
  { key: 'name', label: 'Name', numeric: false, value: (r) => r.name },
  { key: 'status', label: 'Status', numeric: false, value: (r) => r.status },
  { key: 'dataset', label: 'Dataset', numeric: false, value: (r) => r.datasetName },
  { key: 'cell', label: 'Cell', numeric: false, value: (r) => r.spec.model.cell },
  { key: 'units', label: 'Units', numeric: true, value: (r) => r.spec.model.layers[0]?.units ?? null },
  { key: 'lookback', label: 'Lookback', numeric: true, value: (r) => r.spec.window.lookback },
  { key: 'valLoss', label: 'Best val loss', numeric: true, value: (r) => bestValLoss(r) },
  { key: 'rmse', label: 'Test RMSE', numeric: true, value: (r) => testMetric(r, 'rmse') },
  {
    key: 'mase',
    label: 'MASE / acc.',
    numeric: true,
    value: (r) => (r.spec.task === 'classify' ? testMetric(r, 'accuracy') : testMetric(r, 'mase')),
  },
  { key: 'duration', label: 'Duration', numeric: true, value: (r, now) => durationSeconds(r, now) },
  { key: 'tags', label: 'Tags', numeric: false, value: (r) => r.tags.join(', ') },
];

export function columnByKey(key: string): RunColumn {
  return RUN_COLUMNS.find((c) => c.key === key) ?? RUN_COLUMNS[0]!;
}

/** Sorts a copy; empty values go last whatever the direction. */
export function sortRuns(rows: readonly RunRow[], key: string, dir: SortDir, now = Date.now()): RunRow[] {
  const col = columnByKey(key);
  const sign = dir === 'asc' ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: col.value(r, now) }));
  keyed.sort((a, b) => {
    if (a.v === null || a.v === '') return b.v === null || b.v === '' ? a.r.id - b.r.id : 1;
    if (b.v === null || b.v === '') return -1;
    const c = col.numeric ? (a.v as number) - (b.v as number) : String(a.v).localeCompare(String(b.v));
    return c !== 0 ? sign * c : a.r.id - b.r.id;
  });
  return keyed.map((k) => k.r);
}

/**
 * Keeps rows whose text matches every word of `query` (name, dataset, status, cell, tags, notes,
 * `#id`) and, when given, the status.
 */
export function filterRuns(rows: readonly RunRow[], query: string, status: RunStatus | '' = ''): RunRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (status && r.status !== status) return false;
    if (words.length === 0) return true;
    const hay = [`#${r.id}`, r.name, r.datasetName ?? '', r.status, r.spec.model.cell, r.notes, ...r.tags]
      .join(' ')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
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
