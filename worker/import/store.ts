// Writes a parsed table to SQLite (one typed-array BLOB per column, all in one transaction, so a
// failed import leaves nothing behind) and reads columns and summaries back. BLOBs hold the
// platform's (little-endian) bytes: 'f64' for numeric and datetime (ms UTC), NaN = missing;
// 'i32' for category codes, -1 = missing.
import type { DB } from '../../db/open.js';
import type { ColumnKind, ColumnStats, DatasetSummary } from '../../core/contract.js';
import type { ParsedTable } from './types.js';

export interface StoreOptions {
  name?: string;
}

function blobOf(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Stores the dataset and its columns in one transaction; returns the new dataset id. */
export function storeDataset(db: DB, table: ParsedTable, opts: StoreOptions = {}): number {
  const name = opts.name?.trim() || table.sourceName.replace(/\.[^.]*$/, '') || table.sourceName;
  const insertDataset = db.prepare(
    `INSERT INTO datasets (name, source_name, sha256, imported_at, row_count, time_column, series_column, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertColumn = db.prepare(
    `INSERT INTO dataset_columns (dataset_id, idx, name, kind, stats, missing, dtype, labels, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = db.transaction((): number => {
    const info = insertDataset.run(
      name,
      table.sourceName,
      table.sha256,
      new Date().toISOString(),
      table.rowCount,
      table.timeColumn,
      table.seriesColumn,
      JSON.stringify({ delimiter: table.delimiter, warnings: table.warnings }),
    );
    const id = Number(info.lastInsertRowid);
    table.columns.forEach((c, i) => {
      const categorical = c.kind === 'categorical';
      const data = categorical ? c.codes : c.values;
      if (!data || data.length !== table.rowCount) {
        throw new Error(`column "${c.name}" has ${data?.length ?? 0} values, the table has ${table.rowCount} rows`);
      }
      insertColumn.run(
        id,
        i,
        c.name,
        c.kind,
        JSON.stringify(c.stats),
        c.missing,
        categorical ? 'i32' : 'f64',
        categorical ? JSON.stringify(c.labels ?? []) : null,
        blobOf(data),
      );
    });
    return id;
  });
  return write.immediate();
}

export interface LoadedColumn {
  name: string;
  index: number;
  kind: ColumnKind;
  missing: number;
  stats: ColumnStats;
  /** numeric and datetime columns (ms UTC); NaN = missing. */
  values?: Float64Array;
  /** categorical columns: codes into labels; -1 = missing. */
  codes?: Int32Array;
  labels?: string[];
}

interface ColumnRow {
  idx: number;
  name: string;
  kind: ColumnKind;
  stats: string;
  missing: number;
  dtype: 'f64' | 'i32';
  labels: string | null;
  data: Buffer;
}

/** A typed view of the BLOB without copying when its offset is aligned, else an aligned copy. */
function typed(data: Buffer, dtype: 'f64' | 'i32'): Float64Array | Int32Array {
  const size = dtype === 'f64' ? 8 : 4;
  const n = Math.floor(data.byteLength / size);
  const Ctor = dtype === 'f64' ? Float64Array : Int32Array;
  if (data.byteOffset % size === 0) return new Ctor(data.buffer as ArrayBuffer, data.byteOffset, n);
  const copy = new Uint8Array(n * size);
  copy.set(data.subarray(0, n * size));
  return new Ctor(copy.buffer, 0, n);
}

/** Loads one column of a dataset by name. */
export function loadColumn(db: DB, datasetId: number, name: string): LoadedColumn {
  const row = db
    .prepare('SELECT idx, name, kind, stats, missing, dtype, labels, data FROM dataset_columns WHERE dataset_id = ? AND name = ?')
    .get(datasetId, name) as ColumnRow | undefined;
  if (!row) {
    const exists = db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(datasetId);
    throw new Error(exists ? `dataset ${datasetId} has no column "${name}"` : `dataset ${datasetId} does not exist`);
  }
  const col: LoadedColumn = {
    name: row.name,
    index: row.idx,
    kind: row.kind,
    missing: row.missing,
    stats: JSON.parse(row.stats) as ColumnStats,
  };
  if (row.dtype === 'i32') {
    col.codes = typed(row.data, 'i32') as Int32Array;
    col.labels = JSON.parse(row.labels ?? '[]') as string[];
  } else col.values = typed(row.data, 'f64') as Float64Array;
  return col;
}

interface DatasetRow {
  id: number;
  name: string;
  source_name: string;
  sha256: string;
  imported_at: string;
  row_count: number;
  time_column: string | null;
  series_column: string | null;
  notes: string;
  meta: string;
}

/** The dataset's summary (no column data). Throws when there is no such dataset. */
export function readDatasetSummary(db: DB, id: number): DatasetSummary {
  const d = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  if (!d) throw new Error(`dataset ${id} does not exist`);
  const cols = db
    .prepare('SELECT idx, name, kind, stats, missing FROM dataset_columns WHERE dataset_id = ? ORDER BY idx')
    .all(id) as Pick<ColumnRow, 'idx' | 'name' | 'kind' | 'stats' | 'missing'>[];
  const meta = JSON.parse(d.meta || '{}') as { warnings?: string[] };
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
    columns: cols.map((c) => ({ index: c.idx, name: c.name, kind: c.kind, missing: c.missing, stats: JSON.parse(c.stats) as ColumnStats })),
    warnings: meta.warnings ?? [],
  };
}
