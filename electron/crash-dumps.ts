// Local-only crash dumps. Crashpad writes a minidump for a crash of any process (main, renderer,
// the utility processes that train) into userData/Crashpad, and never uploads it: there is no
// server, and a dump can hold pieces of the user's data. A bug report can attach the file.
// Must run before the app is ready: processes created before start() are not watched.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashReporter } from 'electron';

export const CRASH_DIR_NAME = 'Crashpad';

/** The part of Electron's app used here. */
export interface CrashDumpApp {
  getPath(name: 'userData' | 'crashDumps'): string;
  setPath(name: 'crashDumps', path: string): void;
}

/** Starts the crash reporter without uploads; returns the folder the dumps go to. */
export function startCrashDumps(crashReporter: Pick<CrashReporter, 'start'>, app: CrashDumpApp): string {
  // Set explicitly: the default follows userData only when it was computed before a setPath of it.
  const dir = join(app.getPath('userData'), CRASH_DIR_NAME);
  try {
    mkdirSync(dir, { recursive: true }); // Electron's docs: setPath may refuse a missing folder
  } catch {
    // an unwritable profile: Crashpad reports that itself, the app still starts
  }
  app.setPath('crashDumps', dir);
  crashReporter.start({ uploadToServer: false, compress: true });
  return app.getPath('crashDumps');
}
