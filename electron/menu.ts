// The application menu. Import CSV… runs entirely in main (dialog → datasets.import), so it works
// whatever screen is showing; the other commands go to the window, which switches screens.
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './channels.js';

export interface MenuActions {
  importCsv(): void;
  command(command: MenuCommand): void;
  quit(): void;
}

export function menuTemplate(
  actions: MenuActions,
  opts: { platform: NodeJS.Platform; dev: boolean },
): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'import-csv', label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: () => actions.importCsv() },
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
