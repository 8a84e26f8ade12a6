// The app's one window: hardened options (security.ts), opened where it was left last time when
// that is still on a display (window-state.ts), shown once its first paint is ready.
import type { BrowserWindow as BrowserWindowType, Screen } from 'electron';
import { windowOptions } from './security.js';
import { readWindowState, rememberWindowState, restoredBounds, windowStatePath } from './window-state.js';

export interface MainWindowOptions {
  preloadPath: string;
  iconPath?: string;
  userData: string;
  log?: (message: string) => void;
}

export function openMainWindow(
  {
    BrowserWindow,
    screen,
  }: { BrowserWindow: typeof BrowserWindowType; screen: Pick<Screen, 'getAllDisplays' | 'getPrimaryDisplay'> },
  { preloadPath, iconPath, userData, log }: MainWindowOptions,
): BrowserWindowType {
  const stateFile = windowStatePath(userData);
  // The primary display first: a window that cannot go where it was gets its size capped by it.
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
  const areas = [primary, ...others].map((d) => d.workArea);
  const saved = restoredBounds(readWindowState(stateFile), areas);
  const win = new BrowserWindow({ ...windowOptions(preloadPath, iconPath), ...saved?.bounds });
  rememberWindowState(win, stateFile, { log });
  win.once('ready-to-show', () => {
    if (saved?.maximized) win.maximize();
    win.show();
  });
  return win;
}
