// Where the one database file lives by default: the same file the desktop app opens, which is
// Electron's `app.getPath('userData')` for productName "Recurrent Workbench" + /workbench.db.
// `RNN_WORKBENCH_DB` overrides it for every host.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Recurrent Workbench';
export const DB_FILE_NAME = 'workbench.db';

/** Electron's `appData` for the current platform. */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.RNN_WORKBENCH_DB) return env.RNN_WORKBENCH_DB;
  return join(appDataDir(env, platform), PRODUCT_NAME, DB_FILE_NAME);
}
