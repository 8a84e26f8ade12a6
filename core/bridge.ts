// The shape of `window.workbench`: what the Electron preload (electron/bridge.ts) exposes and the
// renderer's IPC client (renderer/src/lib/api.ts) consumes. One definition for both sides; the
// channel names that carry it stay in electron/channels.ts.
import type { Args, EventMap, EventName, MethodName, Output, Result } from './contract.js';

/** Menu commands the main process forwards to the window (Import CSV… is handled in main). */
export const MENU_COMMANDS = ['new-run', 'export', 'datasets', 'runs', 'compare'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export type BridgeApi = { [M in MethodName]: (args: Args<M>) => Promise<Result<Output<M>>> };

/** What the preload exposes as `window.workbench`; nothing else crosses the bridge. */
export interface WorkbenchBridge {
  api: BridgeApi;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  onMenu(listener: (command: MenuCommand) => void): () => void;
  /**
   * The disk path of a File from a file input or a drop (Electron's webUtils.getPathForFile), for
   * `datasets.import`; '' when the File is not backed by a file on disk.
   */
  pathForFile(file: unknown): string;
  dialogs: {
    /** Native open dialog for one CSV file; the chosen absolute path, or null when cancelled. */
    openCsv(): Promise<string | null>;
    /** Native folder chooser (model export); the chosen directory, or null when cancelled. */
    chooseDir(): Promise<string | null>;
    /** Native save dialog that writes `text` to the chosen file (CSV export); the path, or null. */
    saveText(fileName: string, text: string): Promise<string | null>;
  };
}
