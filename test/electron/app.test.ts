// The desktop app wired end to end under a stand-in electron module: the real service on a temp
// SQLite file, real worker processes started through the utilityProcess launcher (a Node child
// with a parentPort shim), the IPC handler as the preload would call it, the menu and the quit;
// and the OS integration on real runs: the log file, crash dumps, recent files, files opened with
// the app, notifications, taskbar progress and the power-save blocker.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { startDesktop, type DesktopApp } from '../../electron/app.js';
import { CALL_CHANNEL, DIALOG_CHANNELS, EVENT_CHANNEL, MENU_CHANNEL } from '../../electron/channels.js';
import {
  FakeBrowserWindow,
  FakeEvent,
  FakeNotification,
  FakeWebContents,
  createFakeElectron,
} from './fake-electron.js';

const dir = mkdtempSync(join(tmpdir(), 'wb-desktop-'));
const csv = join(dir, 'prices.csv');
const badCsv = join(dir, 'bad.csv');
{
  const lines = ['date,price,volume'];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < 400; i++) {
    const d = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${d},${(100 + 10 * Math.sin(i / 7) + i * 0.05).toFixed(3)},${1000 + ((i * 37) % 101)}`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
  writeFileSync(badCsv, 'a,b\n1,2\n"unterminated,3\n');
}
// Long enough that the run is still going when the test stops or kills it.
const longSpec = {
  target: 'price',
  window: { lookback: 8 },
  model: { cell: 'gru', layers: [{ units: 4, dropout: 0 }] },
  train: { epochs: 5000, batchSize: 32, patience: 0 },
};

async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 100_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const { electron, forked } = createFakeElectron({ userData: dir });
let desk: DesktopApp;
let win: FakeBrowserWindow;

function call(method: string, args: unknown = {}): Promise<any> {
  return electron.ipcMain.invoke(
    CALL_CHANNEL,
    { sender: win.webContents, senderFrame: win.webContents.mainFrame },
    method,
    args,
  );
}
const logText = () => readFileSync(join(dir, 'logs', 'main.log'), 'utf8');
/** A menu item by id, in submenus too (File ▸ Open Recent ▸ ...). */
const menuItem = (id: string): any => {
  const all = (items: any[]): any[] => items.flatMap((i) => [i, ...all(Array.isArray(i.submenu) ? i.submenu : [])]);
  return all(electron.Menu.applied!.template).find((i) => i.id === id);
};
const eventsSent = () =>
  win.webContents.sent.filter((s) => s.channel === EVENT_CHANNEL).map((s) => s.args as [string, any]);

beforeAll(async () => {
  FakeBrowserWindow.all = [];
  FakeNotification.all = [];
  desk = startDesktop(electron as never, {
    createService: (o) => createService({ ...o, host: 'electron', stopGraceSeconds: 20 }),
    rendererDir: join(dir, 'renderer'),
    preloadPath: '/app/dist/electron/preload.cjs',
    graceMs: 20_000,
    env: {},
    log: () => {},
  });
  await desk.ready;
  win = FakeBrowserWindow.all[0]!;
});

afterAll(async () => {
  for (const p of forked) p.kill();
  await desk?.shutdown().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

// Workers load TF.js and train: generous limits so a busy machine (the whole suite at once) passes.
describe('desktop app under a stand-in electron', { timeout: 150_000 }, () => {
  it('opens one hardened window on app://, with privileges, permissions and the menu set up', () => {
    expect(FakeBrowserWindow.all).toHaveLength(1);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: '/app/dist/electron/preload.cjs',
    });
    expect(win.loadedUrl).toBe('app://bundle/index.html');
    expect(electron.protocol.privileged).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(electron.protocol.handlers.has('app')).toBe(true);
    expect(electron.session.defaultSession.permissionRequestHandler).not.toBeNull();
    const labels = electron.Menu.applied!.template.flatMap((m: any) =>
      (m.submenu ?? []).map((i: any) => i.label),
    ).filter(Boolean);
    expect(labels).toEqual(expect.arrayContaining(['Import CSV…', 'New run', 'Export…', 'Quit']));
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('starts local-only crash dumps and a log file in the profile', () => {
    expect(electron.crashReporter.started).toMatchObject({ uploadToServer: false });
    expect(electron.crashReporter.dumpDir).toBe(join(dir, 'Crashpad'));
    const log = logText();
    expect(log).toMatch(/^\S+Z start: version 0\.0\.0-test, Electron \?, \w+\n/);
    expect(log).toContain(`crash dumps (local only) in ${join(dir, 'Crashpad')}`);
    expect(log).toContain(`database ${join(dir, 'workbench.db')}`);
    expect(menuItem('open-recent').submenu[0].label).toBe('No recent files');
  });

  it('hardens every web contents that gets created', () => {
    const wc = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, wc);
    expect(wc.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('keeps its database in userData and answers the window', async () => {
    const r = await call('system.info');
    expect(r).toEqual({
      ok: true,
      value: { version: expect.any(String), dbPath: join(dir, 'workbench.db'), host: 'electron' },
    });
    const stranger = new FakeBrowserWindow({});
    const refused = await electron.ipcMain.invoke(
      CALL_CHANNEL,
      { sender: stranger.webContents, senderFrame: stranger.webContents.mainFrame },
      'datasets.list',
      {},
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('imports a CSV in a utility process and tells the window', async () => {
    // Only a file the user gave the window (here: picked in the open dialog) may be imported.
    expect(await call('datasets.import', { path: csv, name: 'prices' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', field: 'path' },
    });
    electron.dialog.openResult = { canceled: false, filePaths: [csv] };
    const fromWin = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    expect(await electron.ipcMain.invoke(DIALOG_CHANNELS.openCsv, fromWin)).toBe(csv);
    const r = await call('datasets.import', { path: csv, name: 'prices' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.value).toMatchObject({ name: 'prices', rowCount: 400, timeColumn: 'date' });
    // The import's process (a warm trainer may be forked beside it: electron/launcher.ts).
    const importer = forked.find((p) => (p.posted[0] as any)?.job?.kind === 'import')!;
    expect(importer.modulePath).toMatch(/worker[/\\]main\.ts$/);
    expect(importer.options.serviceName).toBe('Recurrent Workbench import');
    expect(importer.posted[0]).toMatchObject({ type: 'start', job: { kind: 'import', path: csv } });
    expect(eventsSent()).toContainEqual(['datasets:changed', { id: r.value.id }]);
    // A recent document for the OS, and File ▸ Open Recent lists it.
    expect(electron.app.recentDocuments).toEqual([csv]);
    expect(menuItem('open-recent-0')).toMatchObject({ label: 'prices.csv', toolTip: csv });
    await waitFor('the import worker exit in the log', () =>
      /worker import \S+prices\.csv exited with code 0/.test(logText()),
    );
  });

  it('Import CSV… in the menu: a bad file shows its error, a good one lands in the list', async () => {
    const item = (id: string) =>
      electron.Menu.applied!.template.flatMap((m: any) => m.submenu ?? []).find((i: any) => i.id === id);
    electron.dialog.openResult = { canceled: false, filePaths: [badCsv] };
    item('import-csv').click();
    const err = await waitFor('the error box', () => electron.dialog.errors[0]);
    expect(err.title).toBe('Import failed');
    expect(err.content).toContain('bad.csv');
    expect(err.content.length).toBeGreaterThan(badCsv.length + 5);
    electron.dialog.openResult = { canceled: false, filePaths: [csv] };
    item('import-csv').click();
    await waitFor('two datasets', async () => (await call('datasets.list')).value.length === 2);
    item('new-run').click();
    expect(win.webContents.sent.filter((s) => s.channel === MENU_CHANNEL).map((s) => s.args[0])).toEqual([
      'datasets',
      'datasets',
      'new-run',
    ]);
  });

  it('a CSV opened with the app (a second launch, macOS open-file) is imported and the window comes forward', async () => {
    const other = join(dir, 'opened with.csv');
    writeFileSync(other, readFileSync(csv));
    win.minimize();
    electron.app.emit(
      'second-instance',
      new FakeEvent(),
      ['/opt/rw/recurrent-workbench', '--flag', 'opened with.csv'],
      dir,
    );
    expect([win.isMinimized(), win.isFocused()]).toEqual([false, true]);
    await waitFor('the third dataset', async () => (await call('datasets.list')).value.length === 3);
    // The worker writes the row before the host hears the job's end and records the recent file.
    await waitFor('the recent entry for the second launch', () => electron.app.recentDocuments.includes(other));
    const opened = new FakeEvent();
    electron.app.emit('open-file', opened, csv);
    expect(opened.defaultPrevented).toBe(true); // macOS: "the app handled it"
    await waitFor('the fourth dataset', async () => (await call('datasets.list')).value.length === 4);
    await waitFor('the recent entry for open-file', () => electron.app.recentDocuments.at(-1) === csv);
    expect(electron.app.recentDocuments.slice(-2)).toEqual([other, csv]);
    expect(menuItem('open-recent-0').label).toBe('prices.csv');
    expect(menuItem('open-recent-1').label).toBe('opened with.csv');
    expect(logText()).toContain(`file opened with the app (second launch): ${other}`);
  });

  it('a run that finishes: taskbar progress and the power-save blocker while it trains, then a notification that opens it', async () => {
    const created = await call('runs.create', {
      datasetId: 1,
      spec: { ...longSpec, train: { epochs: 2, batchSize: 32, patience: 0 } },
      name: 'short',
    });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const runId = created.value.id;
    await waitFor('run:status completed', () =>
      eventsSent().some(([e, p]) => e === 'run:status' && p.runId === runId && p.status === 'completed'),
    );
    const during = win.progress.slice(0, -1);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(win.progress.at(-1)).toBe(-1);
    expect(electron.powerSaveBlocker.history).toEqual(['start prevent-app-suspension 1', 'stop 1']);
    const n = await waitFor('the notification', () =>
      FakeNotification.all.find((x) => x.options.title.includes('short')),
    );
    expect(n.options).toMatchObject({
      title: 'Run “short” finished',
      body: expect.stringMatching(/^2 epochs · test RMSE \d/),
    });
    win.minimize();
    n.click();
    expect(win.loads.at(-1)).toBe(`app://bundle/index.html#/live/${runId}`);
    expect([win.isMinimized(), win.isFocused()]).toEqual([false, true]);
    await waitFor('the trainer exit in the log', () =>
      logText().includes(`worker train run ${runId} exited with code 0`),
    );
  });

  it('a trainer that crashes marks its run and the window is told', async () => {
    const created = await call('runs.create', { datasetId: 1, spec: longSpec, name: 'crashes' });
    expect(created.ok, JSON.stringify(created)).toBe(true);
    const runId = created.value.id;
    const child = await waitFor('the trainer process', () =>
      forked.find((p) => (p.posted[0] as any)?.job?.runId === runId),
    );
    expect(child.options.serviceName).toBe('Recurrent Workbench train');
    await waitFor('the first epoch', () => eventsSent().some(([e, p]) => e === 'run:epoch' && p.runId === runId));
    child.child.kill('SIGKILL'); // not through the launcher: a crash
    const told = await waitFor('run:status to the window', () =>
      eventsSent().find(
        ([e, p]) => e === 'run:status' && p.runId === runId && ['failed', 'interrupted'].includes(p.status),
      ),
    );
    expect(told[1].error).toMatch(/exited|killed/);
    expect((await call('runs.get', { id: runId })).value.status).toBe(told[1].status);
    // Said in a notification, and the blocker and taskbar bar are released.
    const n = await waitFor('the notification', () =>
      FakeNotification.all.find((x) => x.options.title.includes('crashes')),
    );
    expect(n.options.title).toMatch(/^Run “crashes” (failed|was interrupted)$/);
    expect(electron.powerSaveBlocker.active.size).toBe(0);
    expect(win.progress.at(-1)).toBe(-1);
  });

  it('quitting stops the running trainer, lets it save, then closes the database', async () => {
    const created = await call('runs.create', { datasetId: 1, spec: longSpec, name: 'stopped at quit' });
    const runId = created.value.id;
    await waitFor(
      'two epochs',
      () => eventsSent().filter(([e, p]) => e === 'run:epoch' && p.runId === runId).length >= 2,
    );
    expect(electron.powerSaveBlocker.active.size).toBe(1);
    electron.app.quit();
    expect(electron.app.exited).toBe(false); // before-quit was held for the shutdown
    await waitFor('the app to quit', () => electron.app.exited);
    const child = forked.find((p) => (p.posted[0] as any)?.job?.runId === runId)!;
    expect(child.posted).toContainEqual({ type: 'stop' });
    expect(child.child.exitCode).toBe(0);
    expect(electron.powerSaveBlocker.active.size).toBe(0);
    expect(FakeNotification.all.filter((x) => x.options.title.includes('stopped at quit'))).toEqual([]);
    expect(logText()).toMatch(/\n\S+ quit\n$/);
    const after = createService({ dbPath: join(dir, 'workbench.db') });
    try {
      const run = await after.call('runs.get', { id: runId });
      expect(run.ok && run.value.status).toBe('stopped');
      expect(run.ok && run.value.epochsDone).toBeGreaterThanOrEqual(2);
    } finally {
      await after.close();
    }
  });
});
