// Native open/save dialogs. The renderer never names a path on disk for writing: it asks, the
// user picks in an OS dialog, and main writes or hands back what was picked.
import { rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import type { DesktopDialogs } from './ipc.js';

/** Largest text the renderer may ask main to save (a metrics CSV of many runs stays far below). */
export const MAX_SAVE_BYTES = 512 * 1024 * 1024;

/** A file name without folders or characters that Windows refuses. */
export function safeFileName(name: string, fallback = 'export.csv'): string {
  const cleaned = basename(name.replace(/\\/g, '/'))
    .replace(/[<>:"|?*\u0000-\u001f]/g, '_')
    .trim();
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned.slice(0, 200) : fallback;
}

export function createDialogs(dialog: Dialog, getWindow: () => BrowserWindow | null): DesktopDialogs {
  const parent = () => {
    const win = getWindow();
    return win && !win.isDestroyed() ? win : undefined;
  };
  return {
    async openCsv() {
      const options = {
        title: 'Import a CSV file',
        properties: ['openFile'] as Array<'openFile'>,
        filters: [
          { name: 'CSV files', extensions: ['csv', 'tsv', 'txt'] },
          // Import bundle… uses this dialog too (docs/bundles.md).
          { name: 'Run bundles', extensions: ['rnnwb'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const win = parent();
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
    },
    async chooseDir() {
      const options = {
        title: 'Choose a folder for the exported model',
        properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'>,
      };
      const win = parent();
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
    },
    async saveText(fileName, text) {
      if (Buffer.byteLength(text) > MAX_SAVE_BYTES)
        throw new Error(`refusing to save more than ${MAX_SAVE_BYTES} bytes`);
      const options = {
        title: 'Save',
        defaultPath: safeFileName(fileName),
        filters: [
          { name: 'CSV files', extensions: ['csv'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const win = parent();
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return null;
      // Write beside it, then rename: nobody (a spreadsheet watching the folder, a test) sees half a file.
      const partial = `${r.filePath}.partial-${process.pid}`;
      await writeFile(partial, text, 'utf8');
      await rename(partial, r.filePath);
      return r.filePath;
    },
  };
}
