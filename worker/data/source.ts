// What the trainer needs of a dataset: its shape, and columns one at a time as typed arrays over
// the stored BLOBs (columnar storage: one read per column).
import type { DB } from '../../db/open.js';
import { loadColumn } from '../import/store.js';
import type { DatasetInfo, SourceColumn } from '../../core/spec-rules.js';

export function datasetInfo(db: DB, id: number): DatasetInfo | null {
  const d = db.prepare(`SELECT name, row_count, time_column, series_column FROM datasets WHERE id = ?`).get(id) as
    | { name: string; row_count: number; time_column: string | null; series_column: string | null }
    | undefined;
  if (!d) return null;
  const columns = db.prepare(`SELECT name, kind FROM dataset_columns WHERE dataset_id = ? ORDER BY idx`).all(id) as DatasetInfo['columns'];
  return { name: d.name, rowCount: d.row_count, timeColumn: d.time_column, seriesColumn: d.series_column, columns };
}

/** Loads columns by name, each once, through the import's store (typed views over the BLOBs). */
export function columnLoader(db: DB, id: number): (name: string) => SourceColumn {
  const cache = new Map<string, SourceColumn>();
  return (name) => {
    let col = cache.get(name);
    if (!col) cache.set(name, (col = loadColumn(db, id, name)));
    return col;
  };
}
