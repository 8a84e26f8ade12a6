import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseOpenError, SCHEMA_VERSION, openDb } from '../../db/open.js';
import { tempDir } from '../helpers.js';

describe('openDb', () => {
  const t = tempDir();
  afterEach(() => undefined);

  it('creates the schema in WAL mode with foreign keys and records user_version', () => {
    const file = join(t.dir, 'new.db');
    const db = openDb(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (r) => r.name,
    );
    for (const name of [
      'datasets',
      'dataset_columns',
      'runs',
      'run_tags',
      'params',
      'metrics',
      'run_summary',
      'checkpoints',
      'predictions',
      'exports',
    ]) {
      expect(tables).toContain(name);
    }
    db.close();
    // Opening again applies nothing and keeps the data.
    const again = openDb(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = join(t.dir, 'future.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE keep (x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = readFileSync(file);
    expect(() => openDb(file)).toThrow(DatabaseOpenError);
    expect(() => openDb(file)).toThrow(/newer Recurrent Workbench \(schema \d+/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite, naming it, without changing it', () => {
    const file = join(t.dir, 'notes.db');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(10));
    const before = readFileSync(file);
    expect(() => openDb(file)).toThrow(/notes\.db is not a Recurrent Workbench database/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('rolls back every migration when one fails', () => {
    const file = join(t.dir, 'broken.db');
    const migrations = [
      { version: 1, name: '001_a', sql: 'CREATE TABLE a (x);' },
      { version: 2, name: '002_b', sql: 'CREATE TABLE b (x); THIS IS NOT SQL;' },
    ];
    expect(() => openDb(file, { migrations })).toThrow();
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'`).get()).toEqual({ n: 0 });
    raw.close();
  });

  it('opens read-only without migrating: an older database is named as such and left as it was', () => {
    const file = join(t.dir, 'older.db');
    const v1 = [{ version: 1, name: '001_a', sql: 'CREATE TABLE a (x);' }];
    openDb(file, { migrations: v1 }).close();
    const before = readFileSync(file);
    const v2 = [...v1, { version: 2, name: '002_b', sql: 'CREATE TABLE b (x);' }];
    expect(() => openDb(file, { readonly: true, migrations: v2 })).toThrow(
      /older\.db was written by an older Recurrent Workbench \(schema 1, this version uses 2\) and this command only reads it, so it was not upgraded/,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    const db = openDb(file, { readonly: true, migrations: v1 });
    expect(db.readonly).toBe(true);
    db.close();
  });

  it('creates nothing for a read-only open of a missing file, or of a missing one when create is off', () => {
    const file = join(t.dir, 'no', 'such', 'folder', 'x.db');
    expect(() => openDb(file, { readonly: true })).toThrow(/^no database at .*x\.db \(nothing was created\)/);
    expect(() => openDb(file, { create: false })).toThrow(DatabaseOpenError);
    expect(existsSync(join(t.dir, 'no'))).toBe(false);
  });
});
