// Builds the object the preload exposes as `window.workbench`: one function per contract method
// (from METHOD_NAMES, the same list ipc.ts registers), `on(event)` for contract events only, the
// menu commands and three native dialogs. Raw `ipcRenderer` never crosses the bridge, and
// listeners never see the IpcRendererEvent (its `sender` is ipcRenderer itself).
import { EVENT_NAMES, METHOD_NAMES, type EventName, type MethodName } from '../core/contract.js';
import type { BridgeApi, MenuCommand, WorkbenchBridge } from '../core/bridge.js';
import { CALL_CHANNEL, DIALOG_CHANNELS, DROP_CHANNEL, EVENT_CHANNEL, MENU_CHANNEL, MENU_COMMANDS } from './channels.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function subscribe(ipc: RendererIpc, channel: string, accept: (args: unknown[]) => void): () => void {
  const handler = (_event: unknown, ...args: unknown[]) => accept(args);
  ipc.on(channel, handler);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    ipc.removeListener(channel, handler);
  };
}

/** The part of Electron's webUtils used here (sandboxed preloads have it). */
export interface RendererWebUtils {
  getPathForFile(file: never): string;
}

export function createBridge(ipc: RendererIpc, webUtils?: RendererWebUtils): WorkbenchBridge {
  const api: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const method of METHOD_NAMES) {
    api[method] = (args: unknown) => ipc.invoke(CALL_CHANNEL, method satisfies MethodName, args ?? {});
  }
  const events = new Set<string>(EVENT_NAMES);
  const menu = new Set<string>(MENU_COMMANDS);
  return {
    api: api as unknown as BridgeApi,
    on(event, listener) {
      if (!events.has(event))
        throw new Error(`unknown event "${String(event)}"; expected one of ${EVENT_NAMES.join(', ')}`);
      return subscribe(ipc, EVENT_CHANNEL, ([name, payload]) => {
        if (name === (event satisfies EventName)) (listener as (p: unknown) => void)(payload);
      });
    },
    onMenu(listener) {
      return subscribe(ipc, MENU_CHANNEL, ([command]) => {
        if (typeof command === 'string' && menu.has(command)) listener(command as MenuCommand);
      });
    },
    pathForFile(file) {
      if (!webUtils) return '';
      let path: string;
      try {
        path = webUtils.getPathForFile(file as never);
      } catch {
        return '';
      }
      // Main accepts for datasets.import only paths given to the window; this tells it of the drop.
      // IPC from one frame arrives in order, so main knows the path before the import call.
      if (path) ipc.invoke(DROP_CHANNEL, path).catch(() => undefined);
      return path;
    },
    dialogs: {
      openCsv: () => ipc.invoke(DIALOG_CHANNELS.openCsv) as Promise<string | null>,
      chooseDir: () => ipc.invoke(DIALOG_CHANNELS.chooseDir) as Promise<string | null>,
      saveText: (fileName, text) => ipc.invoke(DIALOG_CHANNELS.saveText, fileName, text) as Promise<string | null>,
    },
  };
}
