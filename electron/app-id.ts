// The application's identity toward the OS. On Windows, notifications (and taskbar grouping)
// belong to an AppUserModelID: it must match the one the installer gives the Start menu shortcut,
// which electron-builder takes from `appId` (build/electron-builder.config.cjs; the builder test
// checks they agree). An unpackaged app has no shortcut: Electron's docs use its executable path.

export const APP_ID = 'io.github.rnnworkbench.desktop';

/** The part of Electron's app used here. */
export interface AppIdApp {
  readonly isPackaged: boolean;
  setAppUserModelId(id: string): void;
}

/** Sets the AppUserModelID on Windows (a no-op elsewhere); returns the id set, or null. */
export function useAppUserModelId(
  app: AppIdApp,
  platform: NodeJS.Platform,
  execPath = process.execPath,
): string | null {
  if (platform !== 'win32') return null;
  const id = app.isPackaged ? APP_ID : execPath;
  app.setAppUserModelId(id);
  return id;
}
