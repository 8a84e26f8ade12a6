// A stand-in for the parts of the `electron` module the main process and preload use, for tests
// that run under plain Node (the Electron binary is not installed here). It records what the code
// under test asked for; `utilityProcess.fork` starts a real Node child with a `process.parentPort`
// shim, so the real worker runs exactly the code path it takes under Electron.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  FakeBrowserWindow,
  FakeEvent,
  FakeNotification,
  ONE_DISPLAY,
  type FakeDisplay,
  type FakeFrame,
} from './fake-window.js';

export * from './fake-window.js';

const shim = fileURLToPath(new URL('./parent-port-shim.mjs', import.meta.url));

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: any, ...args: any[]) => unknown>();
  handle(channel: string, fn: (event: any, ...args: any[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from `sender`'s frame would get. */
  async invoke(channel: string, event: { sender: unknown; senderFrame: FakeFrame | null }, ...args: unknown[]) {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`No handler registered for '${channel}'`);
    return fn(event, ...args);
  }
}

export class FakeUtilityProcess extends EventEmitter {
  readonly child: ChildProcess;
  readonly posted: unknown[] = [];
  constructor(
    readonly modulePath: string,
    readonly options: Record<string, any>,
  ) {
    super();
    const fromSource = modulePath.endsWith('.ts');
    this.child = fork(modulePath, [], {
      execArgv: [...(fromSource ? ['--import', 'tsx'] : []), '--import', shim],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: options.env,
    });
    this.child.on('message', (m) => this.emit('message', m));
    this.child.on('spawn', () => this.emit('spawn'));
    // utilityProcess reports only an exit code.
    this.child.on('exit', (code) => this.emit('exit', code ?? 1));
  }
  get pid() {
    return this.child.pid;
  }
  postMessage(msg: unknown) {
    this.posted.push(msg);
    if (this.child.connected) this.child.send(msg as object);
  }
  kill() {
    return this.child.kill('SIGKILL');
  }
}

export function createFakeElectron(opts: {
  userData: string;
  singleInstance?: boolean;
  isPackaged?: boolean;
  displays?: FakeDisplay[];
}) {
  const paths = new Map<string, string>([['userData', opts.userData]]);
  const app = Object.assign(new EventEmitter(), {
    isPackaged: opts.isPackaged ?? false,
    quitCalls: 0,
    exited: false,
    /** What app.addRecentDocument was given, in order; emptied by clearRecentDocuments. */
    recentDocuments: [] as string[],
    requestSingleInstanceLock: () => opts.singleInstance ?? true,
    whenReady: () => Promise.resolve(),
    getVersion: () => '0.0.0-test',
    getPath: (name: string) => {
      const path = paths.get(name);
      if (path === undefined) throw new Error(`unexpected getPath(${name})`);
      return path;
    },
    setPath: (name: string, value: string) => {
      if (!['userData', 'crashDumps'].includes(name)) throw new Error(`unexpected setPath(${name})`);
      paths.set(name, value);
    },
    appUserModelId: null as null | string,
    setAppUserModelId(id: string) {
      app.appUserModelId = id;
    },
    addRecentDocument(path: string) {
      app.recentDocuments.push(path);
    },
    clearRecentDocuments() {
      app.recentDocuments.length = 0;
    },
    quit() {
      app.quitCalls++;
      const e = new FakeEvent();
      app.emit('before-quit', e);
      if (!e.defaultPrevented) app.exited = true;
    },
    exit() {
      app.exited = true;
    },
  });
  const forked: FakeUtilityProcess[] = [];
  const session = {
    permissionRequestHandler: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheckHandler: null as null | ((...a: unknown[]) => boolean),
    headersHandler: null as null | ((details: any, cb: (r: any) => void) => void),
    setPermissionRequestHandler(h: any) {
      session.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: any) {
      session.permissionCheckHandler = h;
    },
    webRequest: {
      onHeadersReceived(h: any) {
        session.headersHandler = h;
      },
    },
  };
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    utilityProcess: {
      fork(modulePath: string, _args: string[] = [], options: Record<string, any> = {}) {
        const p = new FakeUtilityProcess(modulePath, options);
        forked.push(p);
        return p;
      },
    },
    dialog: {
      openResult: { canceled: true, filePaths: [] as string[] },
      saveResult: { canceled: true, filePath: '' },
      errors: [] as Array<{ title: string; content: string }>,
      async showOpenDialog(..._a: unknown[]) {
        return electron.dialog.openResult;
      },
      async showSaveDialog(..._a: unknown[]) {
        return electron.dialog.saveResult;
      },
      showErrorBox(title: string, content: string) {
        electron.dialog.errors.push({ title, content });
      },
    },
    Menu: {
      applied: null as null | { template: any[] },
      buildFromTemplate: (template: any[]) => ({ template }),
      setApplicationMenu(menu: { template: any[] }) {
        electron.Menu.applied = menu;
      },
    },
    session: { defaultSession: session },
    protocol: {
      privileged: [] as unknown[],
      handlers: new Map<string, (req: Request) => Promise<Response>>(),
      registerSchemesAsPrivileged(schemes: unknown[]) {
        electron.protocol.privileged.push(...schemes);
      },
      handle(scheme: string, fn: (req: Request) => Promise<Response>) {
        electron.protocol.handlers.set(scheme, fn);
      },
    },
    shell: {
      opened: [] as string[],
      async openExternal(url: string) {
        electron.shell.opened.push(url);
      },
    },
    Notification: FakeNotification,
    powerSaveBlocker: {
      nextId: 1,
      active: new Map<number, string>(),
      /** Every start and stop, in order: `start prevent-app-suspension 1`, `stop 1`. */
      history: [] as string[],
      start(type: string) {
        const id = electron.powerSaveBlocker.nextId++;
        electron.powerSaveBlocker.active.set(id, type);
        electron.powerSaveBlocker.history.push(`start ${type} ${id}`);
        return id;
      },
      stop(id: number) {
        electron.powerSaveBlocker.history.push(`stop ${id}`);
        return electron.powerSaveBlocker.active.delete(id);
      },
      isStarted(id: number) {
        return electron.powerSaveBlocker.active.has(id);
      },
    },
    crashReporter: {
      started: null as null | Record<string, unknown>,
      /** Where Crashpad would write, as app.getPath('crashDumps') said when it started. */
      dumpDir: null as null | string,
      start(options: Record<string, unknown>) {
        if (electron.crashReporter.started) throw new Error('crashReporter.start called twice');
        electron.crashReporter.started = options;
        electron.crashReporter.dumpDir = paths.get('crashDumps') ?? null;
      },
    },
    screen: {
      displays: opts.displays ?? ONE_DISPLAY,
      getAllDisplays: () => electron.screen.displays,
      getPrimaryDisplay: () => electron.screen.displays[0]!,
    },
  };
  return { electron, forked };
}

/** The renderer side: a fake contextBridge and ipcRenderer that record what the preload does. */
export function createFakeRenderer() {
  const exposed = new Map<string, any>();
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  return {
    exposed,
    invoked,
    listeners,
    // Electron's getPathForFile throws for a non-File; files from disk carry their path.
    webUtils: {
      getPathForFile(file: unknown): string {
        const path = (file as { path?: unknown })?.path;
        if (typeof path !== 'string') throw new TypeError('Error processing argument at index 0, conversion failure');
        return path;
      },
    },
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        exposed.set(key, api);
      },
    },
    ipcRenderer: {
      async invoke(channel: string, ...args: unknown[]) {
        invoked.push({ channel, args });
        return { ok: true, value: { channel, args } };
      },
      on(channel: string, fn: (...a: unknown[]) => void) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener(channel: string, fn: (...a: unknown[]) => void) {
        listeners.get(channel)?.delete(fn);
      },
    },
    /** Delivers a main → renderer message the way ipcRenderer does (event object first). */
    deliver(channel: string, ...args: unknown[]) {
      for (const fn of listeners.get(channel) ?? []) fn({ sender: 'ipcRenderer-itself' }, ...args);
    },
  };
}
