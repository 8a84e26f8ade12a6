// Opens the one SQLite file: WAL (readers never block the trainer's writes), foreign keys, a busy
// timeout (several processes write: host, importers, trainers), then applies numbered migrations
// in one transaction tracked by `user_version`. A database written by a newer version is refused
// rather than touched, and a file that is not SQLite gets a message naming it.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteNativeBinding } from './native-binding.js';

export type DB = Database.Database;

export class DatabaseOpenError extends Error {
  /** The contract's error code, spelled here because db/ imports nothing of ours. */
  readonly code = 'bad_input' as const;
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

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
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

export const SCHEMA_VERSION = loadMigrations().at(-1)?.version ?? 0;

const SQLITE_MAGIC = 'SQLite format 3\0';

function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return; // an empty file is a new database
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_MAGIC) {
      throw new DatabaseOpenError(`${file} is not a Recurrent Workbench database (not an SQLite file); it was left untouched`, file);
    }
  } finally {
    closeSync(fd);
  }
}

export interface OpenOptions {
  readonly?: boolean;
  migrations?: Migration[];
}

export function openDb(file: string, opts: OpenOptions = {}): DB {
  if (file !== ':memory:') {
    checkHeader(file);
    mkdirSync(dirname(file), { recursive: true });
  }
  let db: DB;
  try {
    // Inside Electron the addon built for Electron's ABI (db/native-binding.ts: packaged, only the
    // shipped copy); plain Node keeps better-sqlite3's own build.
    const nativeBinding = sqliteNativeBinding();
    db = new Database(file, { readonly: opts.readonly ?? false, ...(nativeBinding ? { nativeBinding } : {}) });
  } catch (e) {
    throw new DatabaseOpenError(`cannot open database ${file}: ${(e as Error).message}`, file);
  }
  try {
    db.pragma('busy_timeout = 10000');
    const migrations = opts.migrations ?? loadMigrations();
    // Refuse a newer database before anything (even the journal mode) touches the file.
    refuseNewer(db, file, migrations);
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file, migrations);
  } catch (e) {
    db.close();
    if (e instanceof DatabaseOpenError) throw e;
    const msg = (e as Error).message;
    if (/file is not a database|malformed/i.test(msg)) {
      throw new DatabaseOpenError(`${file} is not a Recurrent Workbench database (${msg}); it was left untouched`, file);
    }
    throw e;
  }
  return db;
}

function refuseNewer(db: DB, file: string, migrations: Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new DatabaseOpenError(
      `${file} was written by a newer Recurrent Workbench (schema ${current}, this version knows ${latest}); update the app to open it. The file was left untouched.`,
      file,
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
        throw new DatabaseOpenError(`${file}: migrating left ${broken.length} broken reference(s) (${broken[0]!.table} → ${broken[0]!.parent}); the file was left unchanged`, file);
      }
      db.pragma(`user_version = ${latest}`);
    }).immediate();
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
}
