// The one IPC entry point for the contract. Every call is checked in this order: the sender is the
// app's own window showing the app's own page; the method is in the contract list; the arguments
// pass the method's zod schema; a host path it names was given to this window (a dialog or a drop,
// grants.ts). Only then does it reach the service, and the answer is always the
// `{ ok, value | error }` envelope (Electron would keep only `message` of a thrown error).
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { Api } from '../core/api.js';
import {
  EVENT_NAMES,
  isMethodName,
  parseArgs,
  type ApiError,
  type EventName,
  type MethodName,
  type Result,
} from '../core/contract.js';
import { toApiError } from '../core/errors.js';
import { CALL_CHANNEL, DIALOG_CHANNELS, DIALOG_NAMES, DROP_CHANNEL, EVENT_CHANNEL } from './channels.js';
import { PathGrants } from './grants.js';
import { isAppUrl } from './protocol.js';

/** The part of Electron's ipcMain used here. */
export interface MainIpc {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of a BrowserWindow the sender check needs. */
export interface WindowRef {
  isDestroyed(): boolean;
  readonly webContents: WebContents;
}

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/**
 * Accepts only the top frame of the main window, showing the app:// page (or the dev server in
 * development). `fromWebContents` is BrowserWindow.fromWebContents.
 */
export function trustedSender(
  getWindow: () => WindowRef | null,
  fromWebContents: (contents: WebContents) => unknown,
  devOrigin?: string,
): SenderCheck {
  return (event) => {
    const win = getWindow();
    if (!win || win.isDestroyed()) return false;
    if (fromWebContents(event.sender) !== win || event.sender !== win.webContents) return false;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return isAppUrl(frame.url, devOrigin);
  };
}

const forbidden: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'IPC call refused: the sender is not the Recurrent Workbench window' },
};

/** A last check on valid arguments (the path grants): an error refuses the call. */
export type CallGuard = (method: MethodName, args: unknown) => ApiError | undefined;

/** Validates one call and, only when it is valid (and the guard agrees), passes it to the service. */
export async function dispatchCall(
  service: Api,
  method: unknown,
  args: unknown,
  guard?: CallGuard,
): Promise<Result<unknown>> {
  if (typeof method !== 'string' || !isMethodName(method)) {
    return {
      ok: false,
      error: { code: 'invalid_args', message: `unknown method "${String(method)}"`, field: 'method' },
    };
  }
  const parsed = parseArgs(method, args);
  if (!parsed.ok) return parsed;
  const refused = guard?.(method, parsed.value);
  if (refused) return { ok: false, error: refused };
  try {
    const call = service.call as (m: MethodName, a: unknown) => Promise<Result<unknown>>;
    return await call.call(service, method, parsed.value);
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}

/** Native dialogs offered to the renderer; main chooses the paths, the renderer only gets them. */
export interface DesktopDialogs {
  openCsv(): Promise<string | null>;
  chooseDir(): Promise<string | null>;
  saveText(fileName: string, text: string): Promise<string | null>;
}

export interface IpcOptions {
  ipcMain: MainIpc;
  service: Api;
  isTrusted: SenderCheck;
  dialogs: DesktopDialogs;
  /** The paths given to the window (dialogs, drops); a fresh set when not given. */
  grants?: PathGrants;
  /** Called for every refused call (logging). */
  onRefused?: (channel: string, event: IpcMainInvokeEvent) => void;
}

const REFUSED = 'IPC call refused: the sender is not the Recurrent Workbench window';

/** Registers the call channel, the dialog channels and the drop channel; returns a function that removes them. */
export function registerIpc({
  ipcMain,
  service,
  isTrusted,
  dialogs,
  grants = new PathGrants(),
  onRefused,
}: IpcOptions): () => void {
  ipcMain.handle(CALL_CHANNEL, (event, method: unknown, args: unknown) => {
    if (!isTrusted(event)) {
      onRefused?.(CALL_CHANNEL, event);
      return forbidden;
    }
    return dispatchCall(service, method, args, (m, a) => grants.check(event.sender, m, a));
  });
  for (const name of DIALOG_NAMES) {
    const channel = DIALOG_CHANNELS[name];
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrusted(event)) {
        onRefused?.(channel, event);
        throw new Error(REFUSED);
      }
      if (name === 'saveText') {
        const [fileName, text] = args;
        if (typeof fileName !== 'string' || typeof text !== 'string') {
          throw new Error('saveText(fileName, text) needs two strings');
        }
        return dialogs.saveText(fileName, text);
      }
      // What the user picked is what this window may then import or export into.
      const picked = await dialogs[name]();
      if (picked) grants.grant(event.sender, name === 'openCsv' ? 'import' : 'export', picked);
      return picked;
    });
  }
  ipcMain.handle(DROP_CHANNEL, (event, path: unknown) => {
    if (!isTrusted(event)) {
      onRefused?.(DROP_CHANNEL, event);
      throw new Error(REFUSED);
    }
    if (typeof path === 'string' && path !== '') grants.grant(event.sender, 'import', path);
  });
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    ipcMain.removeHandler(DROP_CHANNEL);
    for (const name of DIALOG_NAMES) ipcMain.removeHandler(DIALOG_CHANNELS[name]);
  };
}

/** Forwards every contract event from the service to the window; returns the unsubscribe. */
export function forwardEvents(service: Api, send: (event: EventName, payload: unknown) => void): () => void {
  const offs = EVENT_NAMES.map((event) => service.on(event, (payload) => send(event, payload)));
  return () => offs.forEach((off) => off());
}

/** `send` for forwardEvents: drops events once the window is gone. */
export function sendToWindow(getWindow: () => WindowRef | null): (event: EventName, payload: unknown) => void {
  return (event, payload) => {
    const win = getWindow();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(EVENT_CHANNEL, event, payload);
  };
}
