// The application menu. Import CSV… runs entirely in main (dialog → datasets.import), so it works
// whatever screen is showing; the other commands go to the window, which switches screens.
// File ▸ Open Recent lists recently imported files: macOS keeps that list itself (the
// recentDocuments role, fed by app.addRecentDocument, and a click arrives as `open-file`);
// Windows and Linux get a submenu built from electron/recent-datasets.ts.
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './channels.js';

export interface MenuActions {
  importCsv(): void;
  command(command: MenuCommand): void;
  quit(): void;
  /** Imports a file from Open Recent (Windows, Linux). */
  openRecent?(path: string): void;
  clearRecent?(): void;
}

/** A label shows `&` only doubled (a single one marks the access key on Windows and Linux). */
function menuLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

/** File ▸ Open Recent: the OS's list on macOS, ours (most recent first) elsewhere. */
export function openRecentMenu(
  actions: MenuActions,
  recent: readonly string[],
  mac: boolean,
): MenuItemConstructorOptions {
  if (mac)
    return {
      id: 'open-recent',
      label: 'Open Recent',
      role: 'recentDocuments',
      submenu: [{ role: 'clearRecentDocuments' }],
    };
  const items: MenuItemConstructorOptions[] = recent.length
    ? recent.map((path, i) => ({
        id: `open-recent-${i}`,
        label: menuLabel(basename(path)),
        toolTip: path,
        click: () => actions.openRecent?.(path),
      }))
    : [{ id: 'open-recent-none', label: 'No recent files', enabled: false }];
  return {
    id: 'open-recent',
    label: 'Open &Recent',
    submenu: [
      ...items,
      { type: 'separator' },
      {
        id: 'clear-recent',
        label: 'Clear Recently Opened',
        enabled: recent.length > 0,
        click: () => actions.clearRecent?.(),
      },
    ],
  };
}

export function menuTemplate(
  actions: MenuActions,
  opts: { platform: NodeJS.Platform; dev: boolean; recent?: readonly string[] },
): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'import-csv', label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: () => actions.importCsv() },
      openRecentMenu(actions, opts.recent ?? [], mac),
      { id: 'new-run', label: 'New run', accelerator: 'CmdOrCtrl+N', click: () => actions.command('new-run') },
      { id: 'export', label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.command('export') },
      { type: 'separator' },
      {
        id: 'quit',
        label: mac ? 'Quit Recurrent Workbench' : 'Quit',
        accelerator: mac ? 'Cmd+Q' : 'Ctrl+Q',
        click: () => actions.quit(),
      },
    ],
  };
  const go: MenuItemConstructorOptions = {
    label: '&Go',
    submenu: [
      { id: 'datasets', label: 'Datasets', accelerator: 'CmdOrCtrl+1', click: () => actions.command('datasets') },
      { id: 'runs', label: 'Runs', accelerator: 'CmdOrCtrl+2', click: () => actions.command('runs') },
      { id: 'compare', label: 'Compare', accelerator: 'CmdOrCtrl+3', click: () => actions.command('compare') },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(opts.dev
        ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    go,
    view,
    { role: 'windowMenu' },
  ];
}
