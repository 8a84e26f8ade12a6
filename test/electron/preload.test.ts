import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../core/contract.js';
import { CALL_CHANNEL, DIALOG_CHANNELS, DROP_CHANNEL, EVENT_CHANNEL, MENU_CHANNEL } from '../../electron/channels.js';
import { createFakeRenderer } from './fake-electron.js';

const renderer = vi.hoisted(() => ({ current: null as null | ReturnType<typeof createFakeRenderer> }));
vi.mock('electron', () => ({
  get contextBridge() {
    return renderer.current!.contextBridge;
  },
  get ipcRenderer() {
    return renderer.current!.ipcRenderer;
  },
  get webUtils() {
    return renderer.current!.webUtils;
  },
}));

/** Every value reachable from the exposed object (to prove ipcRenderer is not among them). */
function reachable(root: unknown, seen = new Set<unknown>()): Set<unknown> {
  if (root === null || (typeof root !== 'object' && typeof root !== 'function') || seen.has(root)) return seen;
  seen.add(root);
  for (const key of Object.getOwnPropertyNames(root)) {
    const d = Object.getOwnPropertyDescriptor(root, key);
    if (d && 'value' in d) reachable(d.value, seen);
  }
  return seen;
}

type Fake = ReturnType<typeof createFakeRenderer>;

function checkBridge(fake: Fake) {
  expect([...fake.exposed.keys()]).toEqual(['workbench']);
  const wb = fake.exposed.get('workbench');
  expect(Object.keys(wb).sort()).toEqual(['api', 'dialogs', 'on', 'onMenu', 'pathForFile']);
  expect(Object.keys(wb.api)).toEqual(METHOD_NAMES);
  expect(Object.keys(wb.dialogs).sort()).toEqual(['chooseDir', 'openCsv', 'saveText']);
  const all = reachable(wb);
  expect(all.has(fake.ipcRenderer)).toBe(false);
  expect(all.has(fake.ipcRenderer.invoke)).toBe(false);
  return wb;
}

describe('preload bridge (source, with a stand-in electron module)', () => {
  it('exposes one function per contract method that invokes the call channel with its name', async () => {
    renderer.current = createFakeRenderer();
    await import('../../electron/preload.js');
    const fake = renderer.current;
    const wb = checkBridge(fake);
    for (const m of METHOD_NAMES) {
      expect(typeof wb.api[m]).toBe('function');
      await wb.api[m]({ probe: m });
    }
    expect(fake.invoked).toEqual(METHOD_NAMES.map((m) => ({ channel: CALL_CHANNEL, args: [m, { probe: m }] })));
    fake.invoked.length = 0;
    await wb.api['datasets.list']();
    expect(fake.invoked).toEqual([{ channel: CALL_CHANNEL, args: ['datasets.list', {}] }]);
  });

  it('delivers only the subscribed event, payload only, and unsubscribes', async () => {
    const fake = renderer.current!;
    const wb = fake.exposed.get('workbench');
    const got: unknown[][] = [];
    const offs = EVENT_NAMES.map((e) => wb.on(e, (...args: unknown[]) => got.push([e, ...args])));
    fake.deliver(EVENT_CHANNEL, 'run:status', { runId: 3, status: 'completed' });
    fake.deliver(EVENT_CHANNEL, 'not:an-event', { x: 1 });
    expect(got).toEqual([['run:status', { runId: 3, status: 'completed' }]]);
    offs.forEach((off: () => void) => off());
    offs.forEach((off: () => void) => off());
    expect(fake.listeners.get(EVENT_CHANNEL)!.size).toBe(0);
    expect(() => wb.on('fs:read', () => {})).toThrow(/unknown event "fs:read"/);
  });

  it('gives the disk path of a dropped file, and "" for anything else', () => {
    const wb = renderer.current!.exposed.get('workbench');
    const fake = renderer.current!;
    fake.invoked.length = 0;
    expect(wb.pathForFile({ path: '/home/u/prices.csv' })).toBe('/home/u/prices.csv');
    expect(wb.pathForFile('not a file')).toBe('');
    // Main accepts the dropped path for an import only once the preload has told it of the drop.
    expect(fake.invoked).toEqual([{ channel: DROP_CHANNEL, args: ['/home/u/prices.csv'] }]);
  });

  it('passes menu commands through and asks main for dialogs', async () => {
    const fake = renderer.current!;
    const wb = fake.exposed.get('workbench');
    const commands: string[] = [];
    const off = wb.onMenu((c: string) => commands.push(c));
    fake.deliver(MENU_CHANNEL, 'new-run');
    fake.deliver(MENU_CHANNEL, 'rm -rf');
    off();
    fake.deliver(MENU_CHANNEL, 'export');
    expect(commands).toEqual(['new-run']);
    fake.invoked.length = 0;
    await wb.dialogs.openCsv();
    await wb.dialogs.chooseDir();
    await wb.dialogs.saveText('runs.csv', 'a,b');
    expect(fake.invoked).toEqual([
      { channel: DIALOG_CHANNELS.openCsv, args: [] },
      { channel: DIALOG_CHANNELS.chooseDir, args: [] },
      { channel: DIALOG_CHANNELS.saveText, args: ['runs.csv', 'a,b'] },
    ]);
  });
});

describe('preload bundle (what the sandbox loads)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-preload-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one CommonJS file that requires only "electron" and exposes the same bridge', () => {
    const out = join(dir, 'preload.cjs');
    execFileSync(process.execPath, ['build/preload.mjs', out], { stdio: 'inherit' });
    const code = readFileSync(out, 'utf8');
    const fake = createFakeRenderer();
    const required: string[] = [];
    // The sandbox gives preloads a `require` that knows only electron and a few built-ins.
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id === 'electron')
        return { contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer, webUtils: fake.webUtils };
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', code)(sandboxRequire, module, module.exports);
    expect(required).toEqual(['electron']);
    const wb = checkBridge(fake);
    void wb.api['runs.get']({ id: 1 });
    expect(fake.invoked).toEqual([{ channel: CALL_CHANNEL, args: ['runs.get', { id: 1 }] }]);
    expect(wb.pathForFile({ path: '/data/x.csv' })).toBe('/data/x.csv');
  });
});
