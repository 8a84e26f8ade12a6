// Electron main entry (package.json "main": dist/electron/main.js). Thin on purpose: the logic is
// in app.ts and its helpers, which the tests run against a stand-in electron module.
import * as electron from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDesktop, startupFailure } from './app.js';
import { useElectronSqlite } from './native.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/electron
const appRoot = join(here, '..', '..');
/** How long a trainer gets after `stop` (finish the batch, save a checkpoint) before it is killed. */
const GRACE_MS = 15_000;

// Before anything opens the database, in this process and the workers it starts.
useElectronSqlite({ isPackaged: electron.app.isPackaged, resourcesPath: process.resourcesPath, appRoot });

startDesktop(electron, {
  // Loaded lazily so that the native binding variable above is set before db/ loads better-sqlite3.
  createService: async (opts) => (await import('../core/service.js')).createService({ ...opts, host: 'electron' }),
  graceMs: GRACE_MS,
  rendererDir: join(appRoot, 'dist', 'renderer'),
  preloadPath: join(here, 'preload.cjs'),
  iconPath: join(appRoot, 'build', 'icon.png'),
}).ready.catch((err: unknown) => {
  const text = startupFailure(err);
  console.error(text);
  electron.dialog.showErrorBox('Recurrent Workbench could not start', text);
  electron.app.exit(1);
});
