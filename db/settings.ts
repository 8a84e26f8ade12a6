// The settings table: per-database values that every host (desktop app, browser mode, CLI) reads
// the same way, so a limit set in the UI holds for a CLI `train` on that database too.
import type { DB } from './open.js';

export function getSetting(db: DB, key: string): string | undefined {
  return (db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
}

export function setSetting(db: DB, key: string, value: string): void {
  db.prepare(
    `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ).run(key, value);
}

export function deleteSetting(db: DB, key: string): void {
  db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
}
