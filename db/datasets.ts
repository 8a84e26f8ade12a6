// The dataset table group: datasets and dataset_columns. Plain records only (db/ imports nothing
// of ours); core/datasets.ts maps them to the contract and the spec rules' DatasetInfo.
// Columns are stored one typed-array BLOB each, in the platform's (little-endian) bytes: 'f64' for
// numeric and datetime (ms UTC), NaN = missing; 'i32' for category codes, -1 = missing.
import type { DB } from './open.js';
import { nowIso } from './time.js';

export type ColumnKindValue = 'numeric' | 'datetime' | 'categorical';

export interface DatasetRecord {
  id: number;
  name: string;
  source_name: string;
  sha256: string;
  imported_at: string;
  row_count: number;
  time_column: string | null;
  series_column: string | null;
  notes: string;
  /** JSON: { delimiter, warnings } as recorded by the import. */
  meta: string;
}

/** A column without its data. `stats` is the JSON the import recorded. */
export interface ColumnRecord {
  idx: number;
  name: string;
  kind: ColumnKindValue;
  stats: string;
  missing: number;
}

/** A column with its data as typed views over the stored BLOB. */
export interface ColumnData {
  name: string;
  index: number;
  kind: ColumnKindValue;
  missing: number;
  /** JSON, as in ColumnRecord. */
  stats: string;
  /** numeric and datetime columns (ms UTC); NaN = missing. */
  values?: Float64Array;
  /** categorical columns: codes into labels; -1 = missing. */
  codes?: Int32Array;
  labels?: string[];
}

export interface NewColumn {
  name: string;
  kind: ColumnKindValue;
  /** Stored as JSON. */
  stats: unknown;
  missing: number;
  values?: Float64Array | undefined;
  codes?: Int32Array | undefined;
  labels?: string[] | undefined;
}

export interface NewDataset {
  name: string;
  sourceName: string;
  sha256: string;
  rowCount: number;
  timeColumn: string | null;
  seriesColumn: string | null;
  /**
   * Stored as JSON in `meta`; `importToken` names the import job that stored it, `header` the
   * file's columns (ignored ones included) and `columnTypes` the types the user set.
   */
  meta: {
    delimiter: string;
    warnings: string[];
    importToken?: string;
    header?: string[];
    columnTypes?: Record<string, string>;
  };
  columns: NewColumn[];
}

function blobOf(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Earlier datasets imported from the same bytes (same sha256), oldest first. */
export function datasetsWithSha256(db: DB, sha256: string): { id: number; name: string; source_name: string }[] {
  return db.prepare(`SELECT id, name, source_name FROM datasets WHERE sha256 = ? ORDER BY id`).all(sha256) as {
    id: number;
    name: string;
    source_name: string;
  }[];
}

/** Stores the dataset and its columns in one transaction (a failure leaves nothing behind); returns the new id. */
export function insertDataset(db: DB, ds: NewDataset): number {
  const insertDatasetRow = db.prepare(
    `INSERT INTO datasets (name, source_name, sha256, imported_at, row_count, time_column, series_column, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertColumn = db.prepare(
    `INSERT INTO dataset_columns (dataset_id, idx, name, kind, stats, missing, dtype, labels, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const write = db.transaction((): number => {
    const info = insertDatasetRow.run(
      ds.name,
      ds.sourceName,
      ds.sha256,
      nowIso(),
      ds.rowCount,
      ds.timeColumn,
      ds.seriesColumn,
      JSON.stringify(ds.meta),
    );
    const id = Number(info.lastInsertRowid);
    ds.columns.forEach((c, i) => {
      const categorical = c.kind === 'categorical';
      const data = categorical ? c.codes : c.values;
      if (!data || data.length !== ds.rowCount) {
        throw new Error(`column "${c.name}" has ${data?.length ?? 0} values, the table has ${ds.rowCount} rows`);
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

interface ColumnRow extends ColumnRecord {
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

/** Loads one column of a dataset by name (one read). Throws when the dataset or the column is missing. */
export function loadColumn(db: DB, datasetId: number, name: string): ColumnData {
  const row = db
    .prepare(
      'SELECT idx, name, kind, stats, missing, dtype, labels, data FROM dataset_columns WHERE dataset_id = ? AND name = ?',
    )
    .get(datasetId, name) as ColumnRow | undefined;
  if (!row) {
    throw new Error(
      datasetExists(db, datasetId)
        ? `dataset ${datasetId} has no column "${name}"`
        : `dataset ${datasetId} does not exist`,
    );
  }
  const col: ColumnData = { name: row.name, index: row.idx, kind: row.kind, missing: row.missing, stats: row.stats };
  if (row.dtype === 'i32') {
    col.codes = typed(row.data, 'i32') as Int32Array;
    col.labels = JSON.parse(row.labels ?? '[]') as string[];
  } else col.values = typed(row.data, 'f64') as Float64Array;
  return col;
}

export function datasetExists(db: DB, id: number): boolean {
  return db.prepare('SELECT 1 FROM datasets WHERE id = ?').get(id) !== undefined;
}

export function readDataset(db: DB, id: number): DatasetRecord | undefined {
  return db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRecord | undefined;
}

/** Dataset ids, newest first. */
export function listDatasetIds(db: DB): number[] {
  return (db.prepare('SELECT id FROM datasets ORDER BY id DESC').all() as { id: number }[]).map((r) => r.id);
}

/** The dataset's columns in file order, without their data. */
export function listColumns(db: DB, id: number): ColumnRecord[] {
  return db
    .prepare('SELECT idx, name, kind, stats, missing FROM dataset_columns WHERE dataset_id = ? ORDER BY idx')
    .all(id) as ColumnRecord[];
}

export interface DatasetChanges {
  name?: string | undefined;
  notes?: string | undefined;
  timeColumn?: string | null | undefined;
  seriesColumn?: string | null | undefined;
}

/** Sets the fields given (undefined = leave as is) in one transaction. */
export function updateDataset(db: DB, id: number, changes: DatasetChanges): void {
  db.transaction(() => {
    if (changes.name !== undefined) db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(changes.name, id);
    if (changes.notes !== undefined) db.prepare('UPDATE datasets SET notes = ? WHERE id = ?').run(changes.notes, id);
    if (changes.timeColumn !== undefined)
      db.prepare('UPDATE datasets SET time_column = ? WHERE id = ?').run(changes.timeColumn, id);
    if (changes.seriesColumn !== undefined)
      db.prepare('UPDATE datasets SET series_column = ? WHERE id = ?').run(changes.seriesColumn, id);
  })();
}

/**
 * Deletes what a failed import job stored (a worker killed after its commit, before its result
 * reached the host), found by the job's token; returns how many datasets went.
 */
export function deleteImportedBy(db: DB, importToken: string): number {
  return db.prepare("DELETE FROM datasets WHERE json_extract(meta, '$.importToken') = ?").run(importToken).changes;
}

/** Deletes the dataset (its columns go by foreign key cascade); false when there was none. */
export function deleteDataset(db: DB, id: number): boolean {
  return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
}
