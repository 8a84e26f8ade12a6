// Schemas of the datasets.* methods that outgrew core/contract.ts (at its line limit): the import's
// arguments with the user's column type overrides (issue 14: a numeric id that is really a label,
// a number column with a stray text cell).
import { z } from 'zod';

/**
 * What the user says a column is when the importer guessed wrong: `number`, `text` (categorical),
 * `time` (the time column: dates, or integer years / YYYYMMDD), or `ignore` (not stored).
 */
export const ColumnType = z.enum(['number', 'text', 'time', 'ignore']);
export type ColumnType = z.infer<typeof ColumnType>;

/** Column name (as the dataset shows it, after header clean-up) → its type; columns not named are inferred. */
export const ColumnTypes = z.record(z.string().min(1), ColumnType);
export type ColumnTypes = z.infer<typeof ColumnTypes>;

/**
 * How a dataset was read from its file, so that it can be read again with other types: the
 * file's columns in order (after header clean-up), the ignored ones included, and the types the
 * user set ({} when none). Datasets imported before the header was kept list their stored
 * columns, then the ignored ones.
 */
export const DatasetSource = z.object({
  header: z.array(z.string()),
  columnTypes: ColumnTypes,
});
export type DatasetSource = z.infer<typeof DatasetSource>;

/** A page of the preview's rows: in file order, or one series' rows (long format) in time order. */
export const DatasetRowsArgs = z
  .object({
    id: z.number().int().positive(),
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(5000),
    /** Only this series' rows (the dataset's series column), in time order. */
    series: z.string().optional(),
  })
  .strict();

export const DatasetRows = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
  /** Rows paged through: the dataset's, or the series'. */
  total: z.number().int(),
});

export const DatasetImportArgs = z
  .object({
    path: z.string().min(1),
    name: z.string().min(1).optional(),
    /** The size the file must have (an upload's byte count): a file of another size is refused. */
    expectedBytes: z.number().int().nonnegative().optional(),
    /** Column type overrides; a cell that is not of its column's type fails the import, naming it. */
    columnTypes: ColumnTypes.optional(),
  })
  .strict();
