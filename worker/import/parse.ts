// Streaming CSV parser: the file is read in 1 MB pieces and parsed byte by byte into typed
// columns (see column.ts), so memory grows with rows × columns × 8 bytes, never with the file's
// text. A row cut by a read boundary is parsed again once the next bytes are in. The sha256
// of the source is computed in the same pass. Bad input raises CsvError naming file and line.
import { open, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { CsvError, type ImportProgressFn, type ParsedTable } from './types.js';
import { finishTable } from './finish.js';
import { Parser } from './csv-parser.js';
import type { ColumnTypes } from '../../core/contract.js';

/**
 * Every column given a type must exist, and at least one must stay. The error's field names the
 * argument at fault (`columnTypes.<name>`, as the contract's own validation would), so a host can
 * point at its own spelling of it (the CLI's `--type name=...`).
 */
function checkTypedColumns(parser: Parser, types: ColumnTypes): void {
  const names = parser.names!;
  const fail = (message: string, field: string) => {
    const e = parser.error(message);
    return new CsvError(e.message, e.file, undefined, undefined, field);
  };
  for (const name of Object.keys(types)) {
    if (!names.includes(name))
      throw fail(
        `no column is named "${name}" (the columns are ${names.map((n) => `"${n}"`).join(', ')})`,
        `columnTypes.${name}`,
      );
  }
  if (names.every((n) => types[n] === 'ignore'))
    throw fail('every column is set to ignore: nothing to import', 'columnTypes');
}

/** Bytes per read. */
const CHUNK = 1 << 20;

export async function parseCsvFile(
  path: string,
  onProgress?: ImportProgressFn,
  types: ColumnTypes = {},
): Promise<ParsedTable> {
  const file = basename(path);
  let totalBytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    totalBytes = st.size;
  } catch (e) {
    throw new CsvError(`${file}: cannot read ${path} (${(e as Error).message})`, path);
  }
  const parser = new Parser(path, file, totalBytes, onProgress, types);
  const hash = createHash('sha256');
  // One working buffer, reused: unparsed bytes (a row cut by the read) move to its front and the
  // next read fills in behind them. It grows only for a row longer than itself.
  let buf = Buffer.allocUnsafe(CHUNK);
  let len = 0;
  const fh = await open(path, 'r');
  try {
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(len, len + bytesRead));
      len += bytesRead;
      const used = parser.consume(buf, len, false);
      if (used > 0) {
        buf.copy(buf, 0, used, len);
        len -= used;
      }
    }
  } finally {
    await fh.close();
  }
  parser.consume(buf, len, true);
  if (!parser.names) throw parser.error('the file is empty (no header row, no data)');
  checkTypedColumns(parser, types);
  if (parser.rows === 0) {
    throw parser.error(
      `the file has a header row (${parser.names.length} column${parser.names.length === 1 ? '' : 's'}) but no data rows`,
    );
  }
  return finishTable({
    path,
    file,
    sha256: hash.digest('hex'),
    delimiter: String.fromCharCode(parser.delim),
    rows: parser.rows,
    cols: parser.cols,
    warnings: parser.warnings,
    lineOf: (r) => parser.lineOf(r),
  });
}
