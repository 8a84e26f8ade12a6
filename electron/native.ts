// better-sqlite3 is a V8-API addon: the build in node_modules matches plain Node (so `npm test`
// and the CLI work) and cannot load in Electron. build/electron-native.mjs compiles a second copy
// for Electron's ABI into .electron-native/ (shipped as resources/native/ by electron-builder),
// and db/open.ts passes it as better-sqlite3's `nativeBinding` when this variable names it.
// Worker utility processes inherit the variable. tfjs-node(-gpu) uses N-API, which is ABI-stable
// across Node and Electron, so it needs no second build.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SQLITE_BINDING_ENV = 'RNN_WORKBENCH_SQLITE_BINDING';
export const SQLITE_ADDON = 'better_sqlite3.node';

/** Where the Electron build of better-sqlite3 is: resources/native when packaged, else the repo. */
export function electronSqliteBinding(opts: { isPackaged: boolean; resourcesPath: string; appRoot: string }): string {
  return opts.isPackaged
    ? join(opts.resourcesPath, 'native', SQLITE_ADDON)
    : join(opts.appRoot, '.electron-native', SQLITE_ADDON);
}

/**
 * Sets the variable when the Electron build exists (in a checkout an explicit value from the
 * environment wins; a packaged app uses only its resources/native copy, as db/native-binding.ts
 * does). Returns the path in use, or null when only node_modules' build is there (which will then
 * fail to load with a NODE_MODULE_VERSION message naming this mechanism's script).
 */
export function useElectronSqlite(
  opts: { isPackaged: boolean; resourcesPath: string; appRoot: string },
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): string | null {
  if (!opts.isPackaged && env[SQLITE_BINDING_ENV]) return env[SQLITE_BINDING_ENV]!;
  const file = electronSqliteBinding(opts);
  if (!exists(file)) return null;
  env[SQLITE_BINDING_ENV] = file;
  return file;
}
