import { describe, expect, it } from 'vitest';
import type { Api } from '../../core/api.js';
import { EVENT_NAMES, METHOD_NAMES, ServiceError, type Args, type MethodName } from '../../core/contract.js';
import { createBridge } from '../../electron/bridge.js';
import { CALL_CHANNEL, DIALOG_CHANNELS, DROP_CHANNEL, EVENT_CHANNEL } from '../../electron/channels.js';
import { forwardEvents, registerIpc, sendToWindow, trustedSender, type DesktopDialogs } from '../../electron/ipc.js';
import { FakeBrowserWindow, FakeFrame, FakeIpcMain, createFakeRenderer } from './fake-electron.js';

/** A service that records what reaches it (the point of these tests is what must not). */
class RecordingService implements Api {
  calls: Array<{ method: string; args: unknown }> = [];
  listeners = new Map<string, Set<(p: unknown) => void>>();
  answer: (method: string) => unknown = (method) => ({ echoed: method });
  async call(method: MethodName, args: unknown) {
    this.calls.push({ method, args });
    return { ok: true, value: this.answer(method) } as never;
  }
  on(event: string, listener: (p: any) => void): () => void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return () => {
      this.listeners.get(event)!.delete(listener);
    };
  }
  emit(event: string, payload: unknown) {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
}

// Valid arguments for every method. A Record over MethodName: adding a method to the contract
// without an entry here fails type-checking, so the "every method is handled" test stays complete.
const validArgs: { [M in MethodName]: Args<M> } = {
  'system.info': {},
  'datasets.list': {},
  'datasets.get': { id: 1 },
  'datasets.import': { path: '/picked.csv' },
  'datasets.update': { id: 1, notes: 'n' },
  'datasets.delete': { id: 1 },
  'datasets.rows': { id: 1, offset: 0, limit: 10 },
  'datasets.series': { id: 1, columns: ['price'] },
  'runs.list': {},
  'runs.get': { id: 2 },
  'runs.estimate': { datasetId: 1, spec: { target: 'price' } },
  'runs.create': { datasetId: 1, spec: { target: 'price' } },
  'runs.stop': { id: 2 },
  'runs.resume': { id: 2 },
  'runs.update': { id: 2, tags: ['a'] },
  'runs.delete': { id: 2 },
  'runs.metrics': { ids: [2] },
  'runs.predictions': { id: 2 },
  'runs.log': { id: 2 },
  'runs.export': { id: 2, outDir: '/picked' },
  'runs.csv': { what: 'runs' },
  'settings.get': {},
  'settings.set': { maxTrainers: 2 },
  'runs.bundle': { ids: [2], outPath: '/picked/runs.rnnwb' },
  'runs.importBundle': { path: '/picked.csv' },
  'runs.predict': { id: 2 },
  'backtests.create': { datasetId: 1, spec: { target: 'price' }, folds: 3 },
  'backtests.list': {},
  'backtests.get': { id: 1 },
  'backtests.stop': { id: 1 },
  'backtests.resume': { id: 1 },
  'studies.create': { datasetId: 1, base: { target: 'price' }, space: { 'window.lookback': [12, 24] } },
  'studies.list': {},
  'studies.get': { id: 1 },
  'studies.stop': { id: 1 },
  'studies.resume': { id: 1 },
  'runs.groups': { studyId: 1 },
};

function setup() {
  FakeBrowserWindow.all = [];
  const win = new FakeBrowserWindow({});
  void win.loadURL('app://bundle/index.html');
  const other = new FakeBrowserWindow({});
  void other.loadURL('app://bundle/index.html');
  const ipcMain = new FakeIpcMain();
  const service = new RecordingService();
  const dialogCalls: string[] = [];
  const dialogs: DesktopDialogs = {
    openCsv: async () => (dialogCalls.push('openCsv'), '/picked.csv'),
    chooseDir: async () => (dialogCalls.push('chooseDir'), '/picked'),
    saveText: async (name, text) => (dialogCalls.push(`saveText ${name} ${text.length}`), `/saved/${name}`),
  };
  let current: FakeBrowserWindow | null = win;
  const dispose = registerIpc({
    ipcMain,
    service,
    dialogs,
    isTrusted: trustedSender(
      () => current as never,
      (wc) => FakeBrowserWindow.fromWebContents(wc),
    ),
  });
  const fromApp = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  return {
    win,
    other,
    ipcMain,
    service,
    dialogCalls,
    dispose,
    fromApp,
    closeWindow: () => (current = null),
    /** Makes `w` the app's window (as after closing the window and opening a new one). */
    switchTo: (w: FakeBrowserWindow) => (current = w),
  };
}

describe('IPC: sender check', () => {
  it('answers the app window', async () => {
    const { ipcMain, service, fromApp } = setup();
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'system.info', {})).toEqual({
      ok: true,
      value: { echoed: 'system.info' },
    });
    expect(service.calls).toEqual([{ method: 'system.info', args: {} }]);
  });

  it('refuses another window, another page, a subframe, a gone frame and a closed window; none reach the service', async () => {
    const { ipcMain, service, win, other, closeWindow } = setup();
    const cases = [
      { sender: other.webContents, senderFrame: other.webContents.mainFrame },
      { sender: {}, senderFrame: new FakeFrame('app://bundle/index.html') },
      { sender: win.webContents, senderFrame: new FakeFrame('https://evil.example/') },
      { sender: win.webContents, senderFrame: new FakeFrame('file:///tmp/x.html') },
      { sender: win.webContents, senderFrame: new FakeFrame('app://bundle/index.html', win.webContents.mainFrame) },
      { sender: win.webContents, senderFrame: null },
    ];
    for (const event of cases) {
      const r = await ipcMain.invoke(CALL_CHANNEL, event, 'datasets.list', {});
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      await expect(ipcMain.invoke(DIALOG_CHANNELS.openCsv, event)).rejects.toThrow(/refused/);
    }
    closeWindow();
    const r = await ipcMain.invoke(
      CALL_CHANNEL,
      { sender: win.webContents, senderFrame: win.webContents.mainFrame },
      'datasets.list',
      {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(service.calls).toEqual([]);
  });
});

describe('IPC: validation', () => {
  it('answers bad arguments with the error envelope naming the field, without calling the service', async () => {
    const { ipcMain, service, fromApp } = setup();
    const bad: Array<[string, unknown, string]> = [
      ['datasets.get', { id: -1 }, 'id'],
      ['datasets.get', { id: '1' }, 'id'],
      ['datasets.get', {}, 'id'],
      ['datasets.rows', { id: 1, offset: 0, limit: 1_000_000 }, 'limit'],
      ['datasets.import', { path: '' }, 'path'],
      ['datasets.list', { extra: true }, ''],
      ['runs.metrics', { ids: [] }, 'ids'],
      ['runs.csv', { what: 'everything' }, 'what'],
      ['system.info', 'not an object', ''],
    ];
    for (const [method, args, field] of bad) {
      const r = (await ipcMain.invoke(CALL_CHANNEL, fromApp, method, args)) as any;
      expect(r.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      expect(r.error.code).toBe('invalid_args');
      if (field) expect(r.error.field).toBe(field);
      expect(r.error.message.length).toBeGreaterThan(3);
    }
    for (const method of ['fs.readFile', '__proto__', 'constructor', 42, null]) {
      const r = (await ipcMain.invoke(CALL_CHANNEL, fromApp, method, {})) as any;
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_args', field: 'method' } });
    }
    expect(service.calls).toEqual([]);
  });

  it('has a handler for every contract method: each reaches the service under its own name', async () => {
    const { ipcMain, service, fromApp } = setup();
    // The host paths that datasets.import and runs.export name are the ones picked in the dialogs.
    await ipcMain.invoke(DIALOG_CHANNELS.openCsv, fromApp);
    await ipcMain.invoke(DIALOG_CHANNELS.chooseDir, fromApp);
    for (const method of METHOD_NAMES) {
      const r = (await ipcMain.invoke(CALL_CHANNEL, fromApp, method, validArgs[method])) as any;
      expect(r, method).toEqual({ ok: true, value: { echoed: method } });
    }
    expect(service.calls.map((c) => c.method)).toEqual(METHOD_NAMES);
    // Defaults from the schema are applied before the service sees the call.
    expect(service.calls.find((c) => c.method === 'runs.export')!.args).toEqual({
      id: 2,
      outDir: '/picked',
      checkpoint: 'best',
      format: 'tfjs',
    });
  });

  it('turns service errors into the envelope', async () => {
    const { ipcMain, service, fromApp } = setup();
    service.answer = () => {
      throw new ServiceError('not_found', 'dataset 9 does not exist', 'id');
    };
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.get', { id: 9 })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'dataset 9 does not exist', field: 'id' },
    });
    service.answer = () => {
      throw new TypeError('boom');
    };
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.list', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom' },
    });
  });

  it('removes its handlers on dispose', () => {
    const { ipcMain, dispose } = setup();
    expect(ipcMain.handlers.size).toBe(5);
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('IPC: dialogs', () => {
  it('opens dialogs for the app window and checks saveText arguments', async () => {
    const { ipcMain, fromApp, dialogCalls } = setup();
    expect(await ipcMain.invoke(DIALOG_CHANNELS.openCsv, fromApp)).toBe('/picked.csv');
    expect(await ipcMain.invoke(DIALOG_CHANNELS.chooseDir, fromApp)).toBe('/picked');
    expect(await ipcMain.invoke(DIALOG_CHANNELS.saveText, fromApp, 'runs.csv', 'a,b\n')).toBe('/saved/runs.csv');
    await expect(ipcMain.invoke(DIALOG_CHANNELS.saveText, fromApp, 'runs.csv', { evil: 1 })).rejects.toThrow(
      /two strings/,
    );
    expect(dialogCalls).toEqual(['openCsv', 'chooseDir', 'saveText runs.csv 4']);
  });
});

describe('IPC: events', () => {
  it('forwards every contract event to the window, and nothing once it is closed', () => {
    const service = new RecordingService();
    FakeBrowserWindow.all = [];
    let win: FakeBrowserWindow | null = new FakeBrowserWindow({});
    const w = win;
    const off = forwardEvents(
      service,
      sendToWindow(() => win as never),
    );
    for (const e of EVENT_NAMES) service.emit(e, { e });
    expect(w.webContents.sent).toEqual(EVENT_NAMES.map((e) => ({ channel: EVENT_CHANNEL, args: [e, { e }] })));
    w.destroyed = true;
    service.emit('run:status', { runId: 1 });
    win = null;
    service.emit('run:status', { runId: 1 });
    expect(w.webContents.sent).toHaveLength(EVENT_NAMES.length);
    off();
    expect([...service.listeners.values()].every((s) => s.size === 0)).toBe(true);
  });
});

describe('IPC: the run spec is validated at the boundary', () => {
  it('refuses a bad spec naming its field, before the service sees it', async () => {
    const { ipcMain, service, fromApp } = setup();
    const bad = await ipcMain.invoke(CALL_CHANNEL, fromApp, 'runs.create', {
      datasetId: 1,
      spec: { target: 'price', window: { lookback: 0 } },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_args', field: 'spec.window.lookback' } });
    expect(service.calls).toEqual([]);
  });
});

describe('IPC: host paths come only from a dialog or a drop in this window', () => {
  const refused = (path: string, field: string) => ({
    ok: false,
    error: {
      code: 'forbidden',
      message: expect.stringContaining(`${path} was not chosen in a dialog or dropped in this window`),
      field,
    },
  });

  it('refuses to import a file, or export into a folder, that the user did not give the window', async () => {
    const { ipcMain, service, fromApp } = setup();
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.import', { path: '/etc/passwd' })).toEqual(
      refused('/etc/passwd', 'path'),
    );
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'runs.export', { id: 2, outDir: '/home/u/.ssh' })).toEqual(
      refused('/home/u/.ssh', 'outDir'),
    );
    expect(service.calls).toEqual([]);
  });

  it('accepts exactly what the dialogs returned, for the kind of use they were opened for', async () => {
    const { ipcMain, service, fromApp } = setup();
    expect(await ipcMain.invoke(DIALOG_CHANNELS.openCsv, fromApp)).toBe('/picked.csv');
    expect(await ipcMain.invoke(DIALOG_CHANNELS.chooseDir, fromApp)).toBe('/picked');
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.import', { path: '/picked.csv' })).toMatchObject({
      ok: true,
    });
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'runs.export', { id: 2, outDir: '/picked' })).toMatchObject({
      ok: true,
    });
    // Not a path spelled to resolve elsewhere, a folder inside or above the chosen one, a relative
    // path, or a grant of the other kind.
    for (const path of ['/picked.csv/../../etc/passwd', '/picked', 'picked.csv']) {
      expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.import', { path })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', field: 'path' },
      });
    }
    for (const outDir of ['/picked/sub', '/', '/picked.csv']) {
      expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'runs.export', { id: 2, outDir })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', field: 'outDir' },
      });
    }
    expect(service.calls.map((c) => c.method)).toEqual(['datasets.import', 'runs.export']);
  });

  it('accepts a file dropped on the window, told to main by the preload, and nothing else it is sent', async () => {
    const { ipcMain, service, fromApp, other } = setup();
    // The real preload bridge over the real handlers: the renderer hands it a File, never a string.
    const fake = createFakeRenderer();
    const ipc = {
      invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, fromApp, ...args),
      on() {},
      removeListener() {},
    };
    const bridge = createBridge(ipc, fake.webUtils);
    const path = bridge.pathForFile({ path: '/home/u/dropped.csv' });
    expect(path).toBe('/home/u/dropped.csv');
    expect(await bridge.api['datasets.import']({ path })).toMatchObject({ ok: true });
    // A drop is a file to read, never a folder to write.
    expect(await bridge.api['runs.export']({ id: 2, outDir: '/home/u/dropped.csv' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // The drop channel refuses another window and grants it nothing.
    const fromOther = { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    await expect(ipcMain.invoke(DROP_CHANNEL, fromOther, '/etc/shadow')).rejects.toThrow(/refused/);
    expect(await ipcMain.invoke(CALL_CHANNEL, fromApp, 'datasets.import', { path: '/etc/shadow' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(service.calls).toEqual([{ method: 'datasets.import', args: { path: '/home/u/dropped.csv' } }]);
  });

  it('forgets the paths of a window that was replaced by a new one', async () => {
    const { ipcMain, fromApp, other, switchTo } = setup();
    await ipcMain.invoke(DIALOG_CHANNELS.openCsv, fromApp);
    switchTo(other);
    const fromNew = { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    expect(await ipcMain.invoke(CALL_CHANNEL, fromNew, 'datasets.import', { path: '/picked.csv' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
