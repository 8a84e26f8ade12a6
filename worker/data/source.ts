// Reads what the trainer needs of a dataset straight from SQLite: its shape, and one column at a
// time as a typed array over the stored BLOB (columnar storage: one read per column).
import type { DB } from '../../db/open.js';
import type { DatasetInfo, SourceColumn } from './prepare.js';

interface ColumnRow {
  name: string;
  kind: SourceColumn['kind'];
  dtype: 'f64' | 'i32';
  labels: string | null;
  data: Buffer;
}

export function datasetInfo(db: DB, id: number): DatasetInfo | null {
  const d = db.prepare(`SELECT name, row_count, time_column, series_column FROM datasets WHERE id = ?`).get(id) as
    | { name: string; row_count: number; time_column: string | null; series_column: string | null }
    | undefined;
  if (!d) return null;
  const columns = db.prepare(`SELECT name, kind FROM dataset_columns WHERE dataset_id = ? ORDER BY idx`).all(id) as DatasetInfo['columns'];
  return { name: d.name, rowCount: d.row_count, timeColumn: d.time_column, seriesColumn: d.series_column, columns };
}

function aligned(buf: Buffer, bytes: number): ArrayBuffer {
  // better-sqlite3 hands BLOBs as Buffers that may share a pool at any offset: copy when unaligned.
  if (buf.byteOffset % bytes === 0) return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return Uint8Array.prototype.slice.call(buf).buffer as ArrayBuffer;
}

export function columnLoader(db: DB, id: number): (name: string) => SourceColumn {
  const stmt = db.prepare(`SELECT name, kind, dtype, labels, data FROM dataset_columns WHERE dataset_id = ? AND name = ?`);
  const cache = new Map<string, SourceColumn>();
  return (name) => {
    const hit = cache.get(name);
    if (hit) return hit;
    const row = stmt.get(id, name) as ColumnRow | undefined;
    if (!row) throw new Error(`column "${name}" not found in dataset ${id}`);
    const col: SourceColumn =
      row.dtype === 'i32'
        ? { name, kind: row.kind, codes: new Int32Array(aligned(row.data, 4)), labels: JSON.parse(row.labels ?? '[]') as string[] }
        : { name, kind: row.kind, values: new Float64Array(aligned(row.data, 8)) };
    cache.set(name, col);
    return col;
  };
}
