import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SQLITE_BINDING_ENV, electronSqliteBinding, useElectronSqlite } from '../../electron/native.js';

describe('Electron build of better-sqlite3', () => {
  it('lives in resources/native when packaged and in .electron-native in a checkout', () => {
    expect(
      electronSqliteBinding({ isPackaged: true, resourcesPath: '/opt/Recurrent Workbench/resources', appRoot: '/x' }),
    ).toBe(join('/opt/Recurrent Workbench/resources', 'native', 'better_sqlite3.node'));
    expect(electronSqliteBinding({ isPackaged: false, resourcesPath: '/e/resources', appRoot: '/repo' })).toBe(
      join('/repo', '.electron-native', 'better_sqlite3.node'),
    );
  });

  it('sets the variable db/open.ts reads only when the build exists, and never overrides an explicit one', () => {
    const opts = { isPackaged: false, resourcesPath: '/r', appRoot: '/repo' };
    const env: NodeJS.ProcessEnv = {};
    expect(useElectronSqlite(opts, env, () => false)).toBeNull();
    expect(env[SQLITE_BINDING_ENV]).toBeUndefined();
    expect(useElectronSqlite(opts, env, (p) => p === join('/repo', '.electron-native', 'better_sqlite3.node'))).toBe(
      join('/repo', '.electron-native', 'better_sqlite3.node'),
    );
    expect(env[SQLITE_BINDING_ENV]).toBe(join('/repo', '.electron-native', 'better_sqlite3.node'));
    const explicit: NodeJS.ProcessEnv = { [SQLITE_BINDING_ENV]: '/custom/better_sqlite3.node' };
    expect(useElectronSqlite(opts, explicit, () => true)).toBe('/custom/better_sqlite3.node');
  });

  it('ignores the variable in a packaged app: only resources/native is loaded', () => {
    const opts = { isPackaged: true, resourcesPath: '/opt/rw/resources', appRoot: '/opt/rw/resources/app.asar' };
    const env: NodeJS.ProcessEnv = { [SQLITE_BINDING_ENV]: '/tmp/evil.node' };
    expect(useElectronSqlite(opts, env, () => true)).toBe(join('/opt/rw/resources', 'native', 'better_sqlite3.node'));
    expect(env[SQLITE_BINDING_ENV]).toBe(join('/opt/rw/resources', 'native', 'better_sqlite3.node'));
  });
});
