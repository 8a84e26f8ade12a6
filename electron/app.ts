// Wires the desktop app together: the log file and local crash dumps, single instance (a second
// launch hands its files over), the app:// protocol, the hardened window, the IPC bridge to the
// service, the utilityProcess launcher, the menu, the OS integration (notifications, taskbar
// progress, power save, recent files, files opened with the app) and a quit that lets running
// trainers save before the database closes. Takes the Electron module as a parameter so that the
// tests in test/electron can run it against a stand-in.
import { join } from 'node:path';
import type { Api } from '../core/api.js';
import { toApiError } from '../core/errors.js';
import type { JobLauncher } from '../core/jobs.js';
import { DB_FILE_NAME } from '../core/paths.js';
import { MENU_CHANNEL, type MenuCommand } from './channels.js';
import { useAppUserModelId } from './app-id.js';
import { startCrashDumps } from './crash-dumps.js';
import { createDialogs } from './dialogs.js';
import { forwardEvents, registerIpc, sendToWindow, trustedSender, type DesktopDialogs } from './ipc.js';
import { createUtilityLauncher } from './launcher.js';
import { describeError, logProcessTrouble, mainLog, type Log } from './main-log.js';
import { openMainWindow } from './main-window.js';
import { menuTemplate } from './menu.js';
import { OpenQueue, openableFromArgv } from './open-files.js';
import { integrateWithOs } from './os-integration.js';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler, isAppUrl } from './protocol.js';
import { RecentDatasets, recordingImports } from './recent-datasets.js';
import { contentSecurityPolicy, denyPermissions, enforceCsp, hardenWebContents } from './security.js';
import { bringToFront } from './window-focus.js';

type ElectronExports = typeof Electron.CrossProcessExports;
export type ElectronMain = Pick<
  ElectronExports,
  | 'app'
  | 'BrowserWindow'
  | 'ipcMain'
  | 'utilityProcess'
  | 'dialog'
  | 'Menu'
  | 'session'
  | 'protocol'
  | 'shell'
  | 'Notification'
  | 'powerSaveBlocker'
  | 'crashReporter'
  | 'screen'
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
  /** Where log lines go besides userData/logs/main.log; the console when not given. */
  log?: (message: string) => void;
  /** This launch's command line and folder, for files opened with the app (process.argv, cwd). */
  argv?: readonly string[];
  cwd?: string;
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
  const { app, utilityProcess, protocol, shell } = electron;
  const env = options.env ?? process.env;
  const graceMs = options.graceMs ?? 10_000;
  let window: Electron.BrowserWindow | null = null;
  let service: DesktopService | null = null;
  let stopping: Promise<void> | null = null;

  const { userData, log, dumps } = startRecording(electron, env, options.log);
  if (!app.requestSingleInstanceLock()) {
    log('another instance owns this profile: it opens the files of this launch');
    app.quit();
    return { ready: Promise.resolve(), window: null, service: null, shutdown: async () => {} };
  }
  log(`start: version ${app.getVersion()}, Electron ${process.versions.electron ?? '?'}, ${process.platform}`);
  log(`crash dumps (local only) in ${dumps}`);
  logProcessTrouble(app, log);
  useAppUserModelId(app, process.platform); // before the first notification

  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  const devUrl = devServerUrl(app.isPackaged, env);
  const devOrigin = devUrl ? new URL(devUrl).origin : undefined;
  const entryUrl = devUrl ?? APP_INDEX_URL;
  const getWindow = () => window;
  const opened = takeOpenedFiles(app, getWindow, options, log);

  // Every web contents, including any a bug might create, gets the same navigation rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => shell.openExternal(url)));

  const createWindow = () => {
    const win = openMainWindow(electron, {
      preloadPath: options.preloadPath,
      iconPath: options.iconPath,
      userData,
      log,
    });
    window = win;
    win.on('closed', () => {
      if (window === win) window = null;
    });
    void win.loadURL(entryUrl);
    return win;
  };

  // The service's job registry stops the workers (stop, grace, kill) before the database closes.
  let offOs = () => {};
  const shutdown = () => (stopping ??= (service?.close() ?? Promise.resolve()).finally(() => offOs()));
  holdQuitForShutdown(app, shutdown, log);

  const ready = app.whenReady().then(async () => {
    secureSession(electron, options.rendererDir, devOrigin);
    const dbPath = env.RNN_WORKBENCH_DB || join(userData, DB_FILE_NAME);
    // One trainer kept warm (TF.js loaded) for the next Train, 3 s after start and after each run starts.
    const launcher = createUtilityLauncher(utilityProcess, { log, warmDelayMs: 3000 });
    service = await options.createService({ dbPath, launcher, stopGraceSeconds: graceMs / 1000 });
    log(`database ${dbPath}`);
    const isAppPage = (url: string) => isAppUrl(url, devOrigin);
    const icon = options.iconPath;
    offOs = integrateWithOs(electron, service, { getWindow, entryUrl, isAppPage, log, ...(icon ? { icon } : {}) });
    const importPath = connectWindow(electron, service, getWindow, { devOrigin, log, userData });
    createWindow();
    opened.ready((path) => void importPath(path));
    app.on('activate', () => {
      if (!window) createWindow();
    });
  });
  ready.catch((err: unknown) => log(`could not start: ${startupFailure(err)}`));

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

/** The profile folder, the log file in it and local crash dumps: before anything else happens. */
function startRecording(
  { app, crashReporter }: ElectronMain,
  env: NodeJS.ProcessEnv,
  echo: Log | undefined,
): { userData: string; log: Log; dumps: string } {
  // Tests and side-by-side dev runs get their own profile (and so their own single-instance lock).
  if (!app.isPackaged && env.WORKBENCH_USER_DATA) app.setPath('userData', env.WORKBENCH_USER_DATA);
  const userData = app.getPath('userData');
  const log = mainLog(userData, echo);
  // As early as possible: only processes started after it are watched.
  const dumps = startCrashDumps(crashReporter, app);
  return { userData, log, dumps };
}

/**
 * Files opened with the app: named on this launch's command line (Windows, Linux), sent by macOS
 * (`open-file`, which can come before ready), or handed over by a second launch. They wait in the
 * queue until the window and the service exist.
 */
function takeOpenedFiles(
  app: ElectronMain['app'],
  getWindow: () => Electron.BrowserWindow | null,
  options: DesktopOptions,
  log: Log,
): OpenQueue {
  const opened = new OpenQueue();
  const push = (path: string, how: string) => {
    log(`file opened with the app (${how}): ${path}`);
    opened.push(path);
  };
  for (const path of openableFromArgv(options.argv ?? process.argv, options.cwd ?? process.cwd()))
    push(path, 'command line');
  app.on('open-file', (event, path) => {
    event.preventDefault();
    push(path, 'open-file');
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    bringToFront(getWindow());
    for (const path of openableFromArgv(argv, workingDirectory)) push(path, 'second launch');
  });
  return opened;
}

/** Quitting waits for the shutdown (trainers save their checkpoint), then quits for real. */
function holdQuitForShutdown(app: ElectronMain['app'], shutdown: () => Promise<void>, log: Log): void {
  let quitting = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    shutdown()
      .catch((err: unknown) => log(`shutdown failed: ${describeError(err)}`))
      .finally(() => {
        quitting = true;
        log('quit');
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

/**
 * The window's ways in and out: the contract over IPC, service events, the menu (with Open Recent).
 * Returns the import that File ▸ Import CSV…, Open Recent and files opened with the app share.
 */
function connectWindow(
  { app, BrowserWindow, ipcMain, dialog, Menu }: ElectronMain,
  rawService: DesktopService,
  getWindow: () => Electron.BrowserWindow | null,
  { devOrigin, log, userData }: { devOrigin: string | undefined; log: Log; userData: string },
): (path: string) => Promise<void> {
  const dialogs: DesktopDialogs = createDialogs(dialog, getWindow);
  const recent = RecentDatasets.inUserData(userData, app);
  // Every successful import, from the window or from main, joins the recent files.
  const service = recordingImports(rawService, (path) => recent.add(path));
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
  const importPath = async (path: string) => {
    bringToFront(getWindow());
    sendMenu('datasets');
    const result = await service.call('datasets.import', { path });
    if (result.ok) return log(`imported ${path} as dataset ${result.value.id}`);
    log(`import of ${path} failed: ${result.error.message}`);
    dialog.showErrorBox('Import failed', `${path}\n\n${result.error.message}`);
  };
  const importCsv = async () => {
    const path = await dialogs.openCsv();
    if (path) await importPath(path);
  };
  const setMenu = () => {
    const template = menuTemplate(
      {
        importCsv: () => void importCsv(),
        command: sendMenu,
        quit: () => app.quit(),
        openRecent: (path) => void importPath(path),
        clearRecent: () => recent.clear(),
      },
      { platform: process.platform, dev: !app.isPackaged, recent: recent.list() },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  recent.onChange(setMenu);
  setMenu();
  return importPath;
}
