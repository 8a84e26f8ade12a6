// The IPC channel names and the shape of `window.workbench`, shared by the main process (ipc.ts),
// the preload bridge (bridge.ts) and the renderer's typings. Only these channels exist; the
// contract's METHOD_NAMES and EVENT_NAMES decide what travels on them.
import type { Args, EventMap, EventName, MethodName, Output, Result } from '../core/contract.js';

/** `invoke(CALL_CHANNEL, method, args)` → `Result` envelope. */
export const CALL_CHANNEL = 'workbench:call';
/** main → renderer: `(event name, payload)` for every contract event. */
export const EVENT_CHANNEL = 'workbench:event';
/** main → renderer: a menu command the window should act on. */
export const MENU_CHANNEL = 'workbench:menu';

/**
 * preload → main: the disk path of a file dropped on (or picked in a file input of) the window, as
 * webUtils.getPathForFile gave it to the preload. Main then accepts that path for datasets.import
 * (electron/grants.ts); the renderer itself can only hand the preload a File, never a string.
 */
export const DROP_CHANNEL = 'workbench:grant:dropped';

/** Native dialogs the renderer may ask for; main owns the dialog and the chosen path. */
export const DIALOG_CHANNELS = {
  openCsv: 'workbench:dialog:openCsv',
  chooseDir: 'workbench:dialog:chooseDir',
  saveText: 'workbench:dialog:saveText',
} as const;
export type DialogName = keyof typeof DIALOG_CHANNELS;
export const DIALOG_NAMES = Object.keys(DIALOG_CHANNELS) as DialogName[];

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
