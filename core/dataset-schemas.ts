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
