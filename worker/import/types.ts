// What the CSV parser hands to the store: typed columns plus what was learned about the file.
import type { ColumnKind, ColumnStats } from '../../core/contract.js';
export type { ColumnType, ColumnTypes } from '../../core/contract.js';

export interface ParsedColumn {
  name: string;
  kind: ColumnKind;
  /** numeric: values (NaN = missing); datetime: ms since the Unix epoch, UTC (NaN = missing). */
  values?: Float64Array;
  /** categorical: codes into `labels` (-1 = missing). */
  codes?: Int32Array;
  labels?: string[];
  missing: number;
  stats: ColumnStats;
}

export interface ParsedTable {
  sourceName: string;
  sha256: string;
  delimiter: string;
  rowCount: number;
  columns: ParsedColumn[];
  /** Chosen time column (datetime, or a numeric index such as a year) or null. */
  timeColumn: string | null;
  /** Series-id column for long-format data or null. */
  seriesColumn: string | null;
  /** Every column of the file's header in order (after clean-up), the ignored ones included. */
  header: string[];
  warnings: string[];
  /**
   * 1-based source line where data row `row` (0-based) starts: blank lines and newlines inside
   * quoted fields move it away from `row + 2`, so errors about a row must use this.
   */
  lineOf: (row: number) => number;
}

export interface ImportProgressFn {
  (p: { bytes: number; totalBytes: number; rows: number }): void;
}

/** Raised for input the user must fix; names the file and, where known, line and column. */
export class CsvError extends Error {
  readonly code = 'bad_input' as const;
  /**
   * Where to look, as the error envelope's `field`: `line N` where the line is known, else the
   * column, or the import argument at fault (`columnTypes.<column>`) when one is given.
   */
  readonly field: string | undefined;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
    field?: string,
  ) {
    super(message);
    this.name = 'CsvError';
    this.field = field ?? (line !== undefined ? `line ${line}` : column);
  }
}
