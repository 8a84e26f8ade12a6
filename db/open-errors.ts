// Why a database file could not be opened or read, as one line that names the file and says what
// to do. SQLite's own words ("database disk image is malformed", "unable to open database file")
// say neither, and a truncated copy of a real database is not "not a database": it is damaged.
// The file's header is read here (page size and the page count SQLite records) to tell a file cut
// short from a file that was never SQLite.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** What went wrong, for hosts that word a case their own way (the CLI names its `--db` flag). */
export type OpenFailure =
  | 'missing'
  | 'not_a_file'
  | 'not_sqlite'
  | 'damaged'
  | 'foreign'
  | 'newer'
  | 'needs_upgrade'
  | 'read_only'
  | 'cannot_open';

export class DatabaseOpenError extends Error {
  /** The contract's error code, spelled here because db/ imports nothing of ours. */
  readonly code = 'bad_input' as const;
  constructor(
    message: string,
    readonly file: string,
    readonly reason: OpenFailure = 'cannot_open',
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
const UNTOUCHED = 'it was left untouched';

interface Header {
  size: number;
  /** The first bytes are SQLite's (all 16 of the magic string, or as many as the file has). */
  sqlite: boolean;
  /** The page size and page count the header records, when it is whole and its count valid. */
  expectedBytes?: number;
  pageSize?: number;
}

function readHeader(file: string): Header {
  const size = statSync(file).size;
  const buf = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  const head = buf.subarray(0, Math.min(n, SQLITE_MAGIC.length));
  const sqlite = n > 0 && head.equals(SQLITE_MAGIC.subarray(0, head.length));
  if (!sqlite || n < HEADER_BYTES) return { size, sqlite };
  const raw = buf.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  // The page count at offset 28 is valid only when the change counter (24) matches the
  // version-valid-for number (92); SQLite writes both on every commit.
  const pages = buf.readUInt32BE(28);
  const valid = pages > 0 && buf.readUInt32BE(24) === buf.readUInt32BE(92);
  return { size, sqlite, pageSize, ...(valid ? { expectedBytes: pages * pageSize } : {}) };
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;

/** "truncated: 1,000 bytes of the 753,664 its header records", or undefined when it looks whole. */
function truncation(h: Header): string | undefined {
  if (h.size < SQLITE_MAGIC.length || h.size < HEADER_BYTES)
    return `truncated: ${bytes(h.size)}, shorter than the ${HEADER_BYTES}-byte header`;
  if (h.expectedBytes !== undefined && h.size < h.expectedBytes)
    return `truncated: ${bytes(h.size)} of the ${bytes(h.expectedBytes)} its header records`;
  if (h.pageSize && h.size % h.pageSize !== 0)
    return `truncated mid-page: ${bytes(h.size)} is not a whole number of ${h.pageSize}-byte pages`;
  return undefined;
}

export function damaged(file: string, detail: string): DatabaseOpenError {
  const cut = /^truncated/.test(detail);
  const todo = cut
    ? 'restore it from a backup, or copy it again if a copy or download was cut short'
    : `restore it from a backup, or salvage what is readable with: sqlite3 "${file}" .recover`;
  return new DatabaseOpenError(`${file} is damaged (${detail}): ${todo}; ${UNTOUCHED}`, file, 'damaged');
}

export function notSqlite(file: string): DatabaseOpenError {
  return new DatabaseOpenError(
    `${file} is not a Recurrent Workbench database (not an SQLite file): check the path; ${UNTOUCHED}`,
    file,
    'not_sqlite',
  );
}

/**
 * Checks an existing file before SQLite opens it: a folder, an unreadable file, a file that is not
 * SQLite, or one too short to hold SQLite's header. An empty file is a new database.
 */
export function checkFile(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  if (st.isDirectory())
    throw new DatabaseOpenError(
      `${file} is a folder, not a database file: name the .db file itself`,
      file,
      'not_a_file',
    );
  if (st.size === 0) return;
  let h: Header;
  try {
    h = readHeader(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  if (!h.sqlite) throw notSqlite(file);
  if (h.size < HEADER_BYTES) throw damaged(file, truncation(h)!);
  // SQLite opens a file cut short without a word and fails later, in whichever query reaches a
  // missing page. The header's page count is checked here instead, unless a -wal or -journal with
  // content is beside it: a checkpoint or a rollback can be midway, and SQLite completes it.
  if (hasContent(`${file}-wal`) || hasContent(`${file}-journal`)) return;
  const cut = truncation(h);
  if (cut) throw damaged(file, cut);
}

function hasContent(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}

function cannotRead(file: string, e: unknown): DatabaseOpenError {
  const why = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message;
  return new DatabaseOpenError(`cannot read ${file} (${why}): check the file's permissions`, file, 'cannot_open');
}

/** Why a new file cannot be made at this path: the nearest existing folder above it is not writable. */
export function createBlocker(file: string): string {
  let dir = dirname(file);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return writeBlocker(dir) ?? 'the folder cannot be made';
}

/** Why a folder or file cannot be written, from the file system itself; undefined when it can be. */
export function writeBlocker(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'EROFS'
      ? 'read-only file system'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : String(code);
  }
}

export function readOnlyPlace(file: string, why: string): DatabaseOpenError {
  if (!existsSync(file))
    return new DatabaseOpenError(
      `cannot create ${file} (${why}): choose a path in a folder you can write`,
      file,
      'read_only',
    );
  return new DatabaseOpenError(
    `cannot write ${file} (${why}): commands that only read it (runs, show, datasets, compare) still work; to change it, copy it to a writable folder and open the copy`,
    file,
    'read_only',
  );
}

const sqliteCode = (e: unknown): string => String((e as { code?: unknown }).code ?? '');

/** SQLite's "this file is damaged" codes, raised at open or by any later query. */
export function isDamage(e: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB|IOERR_SHORT_READ)/.test(sqliteCode(e));
}

/** SQLite could not open (or lock, or create the -wal/-shm beside) the file. */
export function isCantOpen(e: unknown): boolean {
  return /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH)/.test(sqliteCode(e));
}

/**
 * The one-line error for a failure of SQLite on this file (at open or in a query), or undefined
 * when it is not about the file (a bug, a constraint): those keep their own message.
 */
export function explainSqliteError(
  file: string,
  e: unknown,
  opts: { readonly?: boolean } = {},
): DatabaseOpenError | undefined {
  if (e instanceof DatabaseOpenError) return e;
  if (file === ':memory:') return undefined;
  const msg = (e as Error).message;
  if (isDamage(e)) {
    if (!existsSync(file)) return damaged(file, msg);
    const h = readHeader(file);
    if (!h.sqlite) return notSqlite(file);
    return damaged(file, truncation(h) ?? msg);
  }
  if (sqliteCode(e) === 'SQLITE_READONLY' && opts.readonly) {
    return new DatabaseOpenError(
      `${file} was opened read-only for a command that only reads; this one writes`,
      file,
      'read_only',
    );
  }
  if (isCantOpen(e)) {
    const why = writeBlocker(dirname(file)) ?? (existsSync(file) ? writeBlocker(file) : undefined);
    if (why && !opts.readonly) return readOnlyPlace(file, why);
    return new DatabaseOpenError(
      `cannot open ${file} (${msg}${why ? `; ${why}` : ''}): check the path and its permissions`,
      file,
      'cannot_open',
    );
  }
  if (sqliteCode(e) === 'SQLITE_FULL')
    return new DatabaseOpenError(
      `cannot write ${file}: the disk is full; free some space and try again`,
      file,
      'cannot_open',
    );
  return undefined;
}
