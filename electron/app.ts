// Wires the desktop app together: single instance, the app:// protocol, the hardened window, the
// IPC bridge to the service, the utilityProcess launcher, the menu, and a quit that lets running
// trainers save before the database closes. Takes the Electron module as a parameter so that the
// tests in test/electron can run it against a stand-in.
import { join } from 'node:path';
import type { Api } from '../core/api.js';
import { toApiError } from '../core/errors.js';
import type { JobLauncher } from '../core/jobs.js';
import { DB_FILE_NAME } from '../core/paths.js';
import { MENU_CHANNEL, type MenuCommand } from './channels.js';
import { createDialogs } from './dialogs.js';
import { forwardEvents, registerIpc, sendToWindow, trustedSender, type DesktopDialogs } from './ipc.js';
import { createUtilityLauncher } from './launcher.js';
import { menuTemplate } from './menu.js';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol.js';
import { contentSecurityPolicy, denyPermissions, enforceCsp, hardenWebContents, windowOptions } from './security.js';

type ElectronExports = typeof Electron.CrossProcessExports;
export type ElectronMain = Pick<
  ElectronExports,
  'app' | 'BrowserWindow' | 'ipcMain' | 'utilityProcess' | 'dialog' | 'Menu' | 'session' | 'protocol' | 'shell'
>;

/** What the desktop host needs from core/service: the contract plus a shutdown that stops its jobs. */
export interface DesktopService extends Api {
  /** Stops every running job (stop message, grace, kill), then closes the database. */
  close(): Promise<void>;
}

export interface DesktopOptions {
  createService(opts: {
    dbPath: string;
    launcher: JobLauncher;
    stopGraceSeconds: number;
  }): DesktopService | Promise<DesktopService>;
  /** dist/renderer */
  rendererDir: string;
  /** dist/electron/preload.cjs */
  preloadPath: string;
  iconPath?: string;
  /** How long trainers get to save after `stop` before they are killed at quit. */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface DesktopApp {
  /** Resolves when the window has been created (or at once when another instance owns the app). */
  ready: Promise<void>;
  readonly window: Electron.BrowserWindow | null;
  readonly service: DesktopService | null;
  /** Stops jobs and closes the service; what `before-quit` runs. */
  shutdown(): Promise<void>;
}

/** The dev server URL, only for an unpackaged app and only on loopback. */
export function devServerUrl(isPackaged: boolean, env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.WORKBENCH_DEV_URL;
  if (isPackaged || !raw) return undefined;
  try {
    const url = new URL(raw);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return loopback && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : undefined;
  } catch {
    return undefined;
  }
}

type Log = (message: string) => void;

/**
 * The text of the "could not start" box. An error that carries the contract's code (a database
 * that is damaged, read-only, from a newer version...) already says what is wrong and what to do
 * in one line; only an unexpected error shows its stack, for a bug report.
 */
export function startupFailure(err: unknown): string {
  const api = toApiError(err);
  if (api.code !== 'internal') return api.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function startDesktop(electron: ElectronMain, options: DesktopOptions): DesktopApp {
  const { app, BrowserWindow, utilityProcess, dialog, protocol, shell } = electron;
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => console.log(`[workbench] ${m}`));
  const graceMs = options.graceMs ?? 10_000;
  let window: Electron.BrowserWindow | null = null;
  let service: DesktopService | null = null;
  let stopping: Promise<void> | null = null;

  // Tests and side-by-side dev runs get their own profile (and so their own single-instance lock).
  if (!app.isPackaged && env.WORKBENCH_USER_DATA) app.setPath('userData', env.WORKBENCH_USER_DATA);

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { ready: Promise.resolve(), window: null, service: null, shutdown: async () => {} };
  }

  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  const devUrl = devServerUrl(app.isPackaged, env);
  const devOrigin = devUrl ? new URL(devUrl).origin : undefined;
  const getWindow = () => window;
  const dialogs = createDialogs(dialog, getWindow);

  // Every web contents, including any a bug might create, gets the same navigation rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => shell.openExternal(url)));
  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  const createWindow = () => {
    const win = new BrowserWindow(windowOptions(options.preloadPath, options.iconPath));
    window = win;
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (window === win) window = null;
    });
    void win.loadURL(devUrl ?? APP_INDEX_URL);
    return win;
  };

  // The service's job registry stops the workers (stop, grace, kill) before the database closes.
  const shutdown = () => (stopping ??= service?.close() ?? Promise.resolve());
  holdQuitForShutdown(app, shutdown, log);

  const ready = app.whenReady().then(async () => {
    secureSession(electron, options.rendererDir, devOrigin);
    const dbPath = env.RNN_WORKBENCH_DB || join(app.getPath('userData'), DB_FILE_NAME);
    const launcher = createUtilityLauncher(utilityProcess);
    service = await options.createService({ dbPath, launcher, stopGraceSeconds: graceMs / 1000 });
    log(`database ${dbPath}`);
    connectWindow(electron, service, getWindow, { dialogs, devOrigin, log });
    createWindow();
    app.on('activate', () => {
      if (!window) createWindow();
    });
  });

  return {
    ready,
    get window() {
      return window;
    },
    get service() {
      return service;
    },
    shutdown,
  };
}

/** Quitting waits for the shutdown (trainers save their checkpoint), then quits for real. */
function holdQuitForShutdown(app: ElectronMain['app'], shutdown: () => Promise<void>, log: Log): void {
  let quitting = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    shutdown()
      .catch((err: unknown) => log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        quitting = true;
        app.quit();
      });
  });
}

/** No permissions, the CSP on every response, and the app:// protocol serving the renderer. */
function secureSession({ session, protocol }: ElectronMain, rendererDir: string, devOrigin: string | undefined): void {
  const csp = contentSecurityPolicy(devOrigin);
  denyPermissions(session.defaultSession);
  enforceCsp(session.defaultSession, csp);
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, csp));
}

/** The window's ways in and out: the contract over IPC, service events, the menu. */
function connectWindow(
  { app, BrowserWindow, ipcMain, dialog, Menu }: ElectronMain,
  service: DesktopService,
  getWindow: () => Electron.BrowserWindow | null,
  { dialogs, devOrigin, log }: { dialogs: DesktopDialogs; devOrigin: string | undefined; log: Log },
): void {
  registerIpc({
    ipcMain,
    service,
    dialogs,
    isTrusted: trustedSender(getWindow, (contents) => BrowserWindow.fromWebContents(contents), devOrigin),
    onRefused: (channel, event) => log(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`),
  });
  forwardEvents(service, sendToWindow(getWindow));

  const sendMenu = (command: MenuCommand) => {
    const window = getWindow();
    if (window && !window.isDestroyed()) window.webContents.send(MENU_CHANNEL, command);
  };
  const importCsv = async () => {
    const path = await dialogs.openCsv();
    if (!path) return;
    sendMenu('datasets');
    const result = await service.call('datasets.import', { path });
    if (!result.ok) dialog.showErrorBox('Import failed', `${path}\n\n${result.error.message}`);
  };
  const template = menuTemplate(
    { importCsv: () => void importCsv(), command: sendMenu, quit: () => app.quit() },
    { platform: process.platform, dev: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
