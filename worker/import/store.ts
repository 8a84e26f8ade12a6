// Hands a parsed table to db/datasets.ts: the dataset's name (the one given, else the file name
// without its extension) and what the import learned about the file (delimiter, warnings) as its
// meta. The SQL, the BLOB layout and the one-transaction write live in db/datasets.ts.
import type { ColumnTypes } from '../../core/contract.js';
import type { DB } from '../../db/open.js';
import { datasetsWithSha256, insertDataset } from '../../db/datasets.js';
import type { ParsedTable } from './types.js';

export interface StoreOptions {
  name?: string;
  /** The import job's token, kept in meta: a host whose job failed deletes the dataset by it. */
  importToken?: string;
  /** The column types the user set, kept in meta as a record of how the file was read. */
  columnTypes?: ColumnTypes;
}

/** Stores the dataset and its columns in one transaction; returns the new dataset id. */
export function storeDataset(db: DB, table: ParsedTable, opts: StoreOptions = {}): number {
  const name = opts.name?.trim() || table.sourceName.replace(/\.[^.]*$/, '') || table.sourceName;
  // The same bytes imported again: allowed (another name, other settings), but said once, naming
  // the earlier dataset, so a user does not train on two copies thinking they differ.
  const earlier = datasetsWithSha256(db, table.sha256)[0];
  // A re-import with the user's column types is the same file on purpose: said as what it is.
  const typed = Object.entries(opts.columnTypes ?? {}).map(([c, t]) => `${c}: ${t}`);
  const same = earlier
    ? `the same file (sha256 ${table.sha256.slice(0, 12)}…) ${typed.length ? 'as' : 'was already imported as'} dataset #${earlier.id} "${earlier.name}" (${earlier.source_name})`
    : null;
  const warnings = same
    ? [typed.length ? `${same}, read with other column types (${typed.join(', ')})` : same, ...table.warnings]
    : table.warnings;
  return insertDataset(db, {
    name,
    sourceName: table.sourceName,
    sha256: table.sha256,
    rowCount: table.rowCount,
    timeColumn: table.timeColumn,
    seriesColumn: table.seriesColumn,
    meta: {
      delimiter: table.delimiter,
      warnings,
      header: table.header,
      ...(opts.importToken ? { importToken: opts.importToken } : {}),
      ...(opts.columnTypes ? { columnTypes: opts.columnTypes } : {}),
    },
    columns: table.columns,
  });
}
