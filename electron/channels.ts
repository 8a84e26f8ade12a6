// The IPC channel names, shared by the main process (ipc.ts) and the preload bridge (bridge.ts).
// Only these channels exist; the contract's METHOD_NAMES and EVENT_NAMES decide what travels on them.

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

// The menu commands and the bridge's shape live in core/bridge.ts, shared with the renderer.
export { MENU_COMMANDS, type MenuCommand } from '../core/bridge.js';
