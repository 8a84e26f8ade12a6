// Dataset queries for the UI and the run designer: summaries, a page of rows for the preview table,
// and whole columns for charts; db/datasets.ts holds the SQL and returns plain records, mapped here
// to the contract's DatasetSummary and the spec rules' DatasetInfo. Columns come from the columnar
// BLOBs (one read each).
import {
  ServiceError,
  type ColumnStats,
  type ColumnTypes,
  type DatasetSource,
  type DatasetSummary,
} from './contract.js';
import type { DB } from '../db/open.js';
import * as store from '../db/datasets.js';
import { lowerBound, minMaxIndices, upperBound } from './downsample.js';
import type { DatasetInfo, SourceColumn } from './spec-rules.js';

export function readDatasetSummary(db: DB, id: number): DatasetSummary {
  const d = store.readDataset(db, id);
  if (!d) throw new ServiceError('not_found', `dataset ${id} does not exist`, 'id');
  const meta = JSON.parse(d.meta || '{}') as { warnings?: string[]; header?: string[]; columnTypes?: ColumnTypes };
  const columns = store.listColumns(db, id);
  return {
    id: d.id,
    name: d.name,
    sourceName: d.source_name,
    sha256: d.sha256,
    importedAt: d.imported_at,
    rowCount: d.row_count,
    timeColumn: d.time_column,
    seriesColumn: d.series_column,
    notes: d.notes,
    columns: columns.map((c) => ({
      index: c.idx,
      name: c.name,
      kind: c.kind,
      missing: c.missing,
      stats: JSON.parse(c.stats) as ColumnStats,
    })),
    warnings: meta.warnings ?? [],
    source: sourceOf(
      columns.map((c) => c.name),
      meta,
    ),
  };
}

/**
 * The file's header as the import kept it; a dataset imported before it was kept gets its stored
 * columns, then those the user ignored (their place in the file is not known).
 */
function sourceOf(stored: string[], meta: { header?: string[]; columnTypes?: ColumnTypes }): DatasetSource {
  const columnTypes = meta.columnTypes ?? {};
  const ignored = Object.keys(columnTypes).filter((n) => columnTypes[n] === 'ignore' && !stored.includes(n));
  return { header: meta.header ?? [...stored, ...ignored], columnTypes };
}

export function listDatasetSummaries(db: DB): DatasetSummary[] {
  return store.listDatasetIds(db).map((id) => readDatasetSummary(db, id));
}

/** What the spec rules need of a dataset: its shape and column kinds (no column data); null when there is none. */
export function datasetInfo(db: DB, id: number): DatasetInfo | null {
  const d = store.readDataset(db, id);
  if (!d) return null;
  const columns = store.listColumns(db, id).map((c) => ({ name: c.name, kind: c.kind }));
  return { name: d.name, rowCount: d.row_count, timeColumn: d.time_column, seriesColumn: d.series_column, columns };
}

/** Loads columns by name, each once (typed views over the stored BLOBs). */
export function columnLoader(db: DB, id: number): (name: string) => SourceColumn {
  const cache = new Map<string, SourceColumn>();
  return (name) => {
    let col = cache.get(name);
    if (!col) cache.set(name, (col = store.loadColumn(db, id, name)));
    return col;
  };
}

export function updateDataset(
  db: DB,
  a: {
    id: number;
    name?: string | undefined;
    notes?: string | undefined;
    timeColumn?: string | null | undefined;
    seriesColumn?: string | null | undefined;
  },
): void {
  const ds = readDatasetSummary(db, a.id);
  const names = new Set(ds.columns.map((c) => c.name));
  for (const [field, col] of [
    ['timeColumn', a.timeColumn],
    ['seriesColumn', a.seriesColumn],
  ] as const) {
    if (col && !names.has(col))
      throw new ServiceError('bad_input', `${field}: unknown column "${col}" in dataset "${ds.name}"`, field);
  }
  store.updateDataset(db, a.id, a);
}

export function deleteDataset(db: DB, id: number): boolean {
  return store.deleteDataset(db, id);
}

function cellValue(
  kind: string,
  col: { values?: Float64Array; codes?: Int32Array; labels?: string[] },
  r: number,
): number | string | null {
  if (col.codes) {
    const c = col.codes[r]!;
    return c < 0 ? null : col.labels![c]!;
  }
  const v = col.values![r]!;
  if (Number.isNaN(v)) return null;
  return kind === 'datetime' ? new Date(v).toISOString().replace('.000Z', 'Z') : v;
}

/**
 * A page of rows for the preview: in file order, or with `series` (long format) that series'
 * rows only, in time order as its chart draws them; `total` counts the rows paged through.
 */
export function readRows(
  db: DB,
  id: number,
  offset: number,
  limit: number,
  series?: string,
): { columns: string[]; rows: (number | string | null)[][]; total: number } {
  const info = datasetInfo(db, id);
  if (!info) throw new ServiceError('not_found', `dataset ${id} does not exist`, 'id');
  if (series !== undefined && !info.seriesColumn)
    throw new ServiceError(
      'bad_input',
      `dataset "${info.name}" has no series column to pick "${series}" from`,
      'series',
    );
  const load = columnLoader(db, id);
  const cols = info.columns.map((c) => ({ kind: c.kind, col: load(c.name) }));
  const idx = series !== undefined ? rowOrder(info, load, series).idx : null;
  const total = idx ? idx.length : info.rowCount;
  const end = Math.min(total, offset + limit);
  const rows: (number | string | null)[][] = [];
  for (let k = offset; k < end; k++) {
    const r = idx ? idx[k]! : k;
    rows.push(cols.map((c) => cellValue(c.kind, c.col, r)));
  }
  return { columns: info.columns.map((c) => c.name), rows, total };
}

/** The rows of one series (or all), in time order: one index array (null = every row, already in order). */
function rowOrder(
  info: NonNullable<ReturnType<typeof datasetInfo>>,
  load: ReturnType<typeof columnLoader>,
  series: string | undefined,
): { idx: Int32Array | null; tcol: Float64Array | null } {
  let rows: number[] | null = null;
  if (info.seriesColumn) {
    const s = load(info.seriesColumn);
    const want = series ?? (s.labels ? s.labels[0] : undefined);
    const code = s.labels ? s.labels.indexOf(want ?? '') : -1;
    rows = [];
    for (let r = 0; r < info.rowCount; r++)
      if (s.codes ? s.codes[r] === code : String(s.values![r]) === want) rows.push(r);
  }
  // Rows to show, in time order (the import keeps file order): one index array, then one pass per column.
  let idx: Int32Array | null = rows ? Int32Array.from(rows) : null;
  const tcol = info.timeColumn ? load(info.timeColumn).values! : null;
  if (tcol) {
    const n = idx ? idx.length : info.rowCount;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = tcol[idx ? idx[i]! : i]! >= tcol[idx ? idx[i - 1]! : i - 1]!;
    if (!sorted) idx = (idx ?? Int32Array.from({ length: n }, (_, i) => i)).sort((a, b) => tcol[a]! - tcol[b]!);
  }
  return { idx, tcol };
}

export function readSeries(
  db: DB,
  id: number,
  columns: string[],
  series?: string,
  view: { buckets?: number | undefined; range?: [number, number] | undefined } = {},
): { time: number[] | null; series: { name: string; values: (number | null)[] }[]; total: number; index?: number[] } {
  const info = datasetInfo(db, id);
  if (!info) throw new ServiceError('not_found', `dataset ${id} does not exist`, 'id');
  const known = new Map(info.columns.map((c) => [c.name, c.kind]));
  columns.forEach((c, i) => {
    if (!known.has(c)) throw new ServiceError('bad_input', `columns.${i}: unknown column "${c}"`, `columns.${i}`);
  });
  const load = columnLoader(db, id);
  const { idx, tcol } = rowOrder(info, load, series);
  // A time (or row-index) range, then min/max decimation over the columns asked for.
  if (view.range || view.buckets) {
    const n = idx ? idx.length : info.rowCount;
    // Columns in display order: views over the stored arrays when the file is already in time order.
    const gather = (v: Float64Array): Float64Array => {
      if (!idx) return v;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v[idx[i]!]!;
      return out;
    };
    const x = tcol ? gather(tcol) : Float64Array.from({ length: n }, (_, i) => i);
    const from = view.range ? lowerBound(x, view.range[0]) : 0;
    const to = view.range ? upperBound(x, view.range[1]) : n;
    const ys = columns.map((name) => {
      const c = load(name);
      return c.codes ? gather(Float64Array.from(c.codes, (k) => (k < 0 ? NaN : k))) : gather(c.values!);
    });
    const keep = view.buckets
      ? minMaxIndices(ys, from, to, view.buckets)
      : Array.from({ length: to - from }, (_, i) => from + i);
    return {
      time: tcol ? keep.map((i) => x[i]!) : null,
      series: columns.map((name, j) => ({
        name,
        values: keep.map((i) => (Number.isNaN(ys[j]![i]!) ? null : ys[j]![i]!)),
      })),
      total: n,
      index: keep,
    };
  }
  const take = (get: (r: number) => number | null): (number | null)[] => {
    const n = idx ? idx.length : info.rowCount;
    const out = new Array<number | null>(n);
    for (let i = 0; i < n; i++) out[i] = get(idx ? idx[i]! : i);
    return out;
  };
  return {
    time: tcol ? (take((r) => tcol[r]!) as number[]) : null,
    series: columns.map((name) => {
      const c = load(name);
      const codes = c.codes;
      const v = c.values;
      return {
        name,
        values: take(codes ? (r) => (codes[r]! < 0 ? null : codes[r]!) : (r) => (Number.isNaN(v![r]!) ? null : v![r]!)),
      };
    }),
    total: idx ? idx.length : info.rowCount,
  };
}
