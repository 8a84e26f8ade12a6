// Opens the one SQLite file: WAL (readers never block the trainer's writes), foreign keys, a busy
// timeout (several processes write: host, importers, trainers), then applies numbered migrations
// in one transaction tracked by `user_version`. A database written by a newer version is refused
// rather than touched. Commands that only read open it read-only: nothing is created, migrated or
// switched, so they work in a read-only folder. Every way a file can fail to open (missing, not
// SQLite, truncated or damaged, another program's, read-only) becomes one line naming the file
// and what to do (open-errors.ts).
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sqliteNativeBinding } from './native-binding.js';
import {
  DatabaseOpenError,
  checkFile,
  createBlocker,
  explainSqliteError,
  isCantOpen,
  readOnlyPlace,
  writeBlocker,
} from './open-errors.js';

export { DatabaseOpenError, explainSqliteError, type OpenFailure } from './open-errors.js';

export type DB = Database.Database;

// SQLite reads URI file names (`file:...?immutable=1`) only when the addon is told so before its
// first use; better-sqlite3 reads this variable when it loads. A read-only open needs the URI form
// for a WAL database in a folder it cannot write (see openReadOnly). Paths we pass are absolute, so
// nothing else is read as a URI.
process.env.SQLITE_USE_URI ??= '1';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 3)),
      name: f.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, f), 'utf8'),
    }));
}

export const SCHEMA_VERSION = loadMigrations().at(-1)?.version ?? 0;

export interface OpenOptions {
  /**
   * Only read: no migration, no switch to WAL, no file or folder created; works in a read-only
   * folder. A database that needs a migration is refused with a message saying so.
   */
  readonly?: boolean;
  /** Create the file (and its folders) when it is missing; default: true unless readonly. */
  create?: boolean;
  migrations?: Migration[];
}

export function openDb(file: string, opts: OpenOptions = {}): DB {
  const readonly = opts.readonly ?? false;
  if (file !== ':memory:') prepareFile(file, opts.create ?? !readonly);
  let db = connect(file, readonly);
  const migrations = opts.migrations ?? loadMigrations();
  try {
    try {
      db.pragma('busy_timeout = 10000');
      // Refuse a newer database before anything (even the journal mode) touches the file.
      refuseNewer(db, file, migrations);
    } catch (e) {
      if (!readonly || !isCantOpen(e)) throw e;
      db.close();
      db = openImmutable(file, e);
      refuseNewer(db, file, migrations);
    }
    refuseForeign(db, file);
    if (readonly) {
      requireCurrent(db, file, migrations);
      db.pragma('foreign_keys = ON');
      return db;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, migrations);
  } catch (e) {
    db.close();
    throw explainSqliteError(file, e, { readonly }) ?? e;
  }
  return db;
}

/** A missing file is created (folders included) only when asked; an existing one is checked. */
function prepareFile(file: string, create: boolean): void {
  if (existsSync(file)) {
    checkFile(file);
    return;
  }
  if (!create) {
    throw new DatabaseOpenError(
      `no database at ${file} (nothing was created): check the path, or import a dataset to create a database there`,
      file,
      'missing',
    );
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    throw readOnlyPlace(file, createBlocker(file));
  }
}

function connect(file: string, readonly: boolean): DB {
  try {
    // Inside Electron the addon built for Electron's ABI (db/native-binding.ts: packaged, only the
    // shipped copy); plain Node keeps better-sqlite3's own build.
    const nativeBinding = sqliteNativeBinding();
    return new Database(file, { readonly, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (e) {
    throw (
      explainSqliteError(file, e, { readonly }) ??
      new DatabaseOpenError(`cannot open database ${file}: ${(e as Error).message}`, file)
    );
  }
}

/**
 * A WAL database in a folder that cannot be written: SQLite can read it only by creating the -shm
 * index beside it, or when told the file cannot change (`immutable`), which is true there: no
 * writer can create the -wal and -shm files it needs either. A -wal file with content holds
 * committed changes that immutable mode would skip, so that case is refused instead.
 */
function openImmutable(file: string, cause: unknown): DB {
  const wal = `${file}-wal`;
  const blocked = writeBlocker(dirname(file));
  if (!blocked) throw cause;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new DatabaseOpenError(
      `cannot read ${file}: its folder is not writable (${blocked}) and ${wal} holds changes that SQLite reads only with write access; copy both files to a writable folder and open the copy`,
      file,
      'read_only',
    );
  }
  try {
    const db = connect(`${pathToFileURL(file).href}?immutable=1`, true);
    db.pragma('user_version', { simple: true });
    return db;
  } catch {
    throw new DatabaseOpenError(
      `cannot read ${file} in a folder that is not writable (${blocked}): copy it to a writable folder and open the copy`,
      file,
      'read_only',
    );
  }
}

/** An SQLite file of some other program: version 0 (never migrated by us) yet holding tables. */
function refuseForeign(db: DB, file: string): void {
  if ((db.pragma('user_version', { simple: true }) as number) !== 0) return;
  const tables = (
    db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string }[]
  ).map((t) => t.name);
  if (tables.length === 0) return;
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? `, ... (${tables.length} tables)` : '');
  throw new DatabaseOpenError(
    `${file} is an SQLite database of another program (tables: ${shown}), not a Recurrent Workbench database: choose another file; it was left untouched`,
    file,
    'foreign',
  );
}

/** A read-only open cannot migrate: an older (or empty) database is named as such. */
function requireCurrent(db: DB, file: string, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current >= latest) return;
  if (current === 0) {
    throw new DatabaseOpenError(
      `${file} is empty, not yet a database: import a dataset into it first (nothing was changed)`,
      file,
      'needs_upgrade',
    );
  }
  throw new DatabaseOpenError(
    `${file} was written by an older Recurrent Workbench (schema ${current}, this version uses ${latest}) and this command only reads it, so it was not upgraded: open it once with a command that writes (such as import or train) or in the desktop app, with write access to its folder`,
    file,
    'needs_upgrade',
  );
}

function refuseNewer(db: DB, file: string, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new DatabaseOpenError(
      `${file} was written by a newer Recurrent Workbench (schema ${current}, this version knows ${latest}); update the app to open it. The file was left untouched.`,
      file,
      'newer',
    );
  }
}

export function migrate(db: DB, file: string, migrations: Migration[]): void {
  refuseNewer(db, file, migrations);
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  // Several processes may open a new file at once: IMMEDIATE takes the write lock first, then the
  // version is read again inside the transaction so only one of them migrates.
  // Foreign keys are off while migrating (SQLite's documented way to rebuild a table: with them on,
  // dropping a parent table cascades into its children; the pragma is a no-op inside a
  // transaction, so it is switched here) and checked before the transaction commits.
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      for (const m of pending) {
        if (m.version <= v) continue;
        db.exec(m.sql);
      }
      const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
      if (broken.length > 0) {
        throw new DatabaseOpenError(
          `${file}: migrating left ${broken.length} broken reference(s) (${broken[0]!.table} → ${broken[0]!.parent}); the file was left unchanged`,
          file,
        );
      }
      db.pragma(`user_version = ${latest}`);
    }).immediate();
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
}
