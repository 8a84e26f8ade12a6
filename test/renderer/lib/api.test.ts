// @vitest-environment jsdom
// The browser transport's token handling and the choice of transport.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchBridge } from '../../../core/bridge.js';
import { bridgeClient, getClient, setClient, takeToken } from '../../../renderer/src/lib/api.js';

afterEach(() => {
  setClient(null);
  sessionStorage.clear();
  delete window.workbench;
});

describe('takeToken', () => {
  it('takes the token from the address once, keeps it for the tab and removes it from the address bar', () => {
    history.replaceState(null, '', '/?token=abc123&x=1#/runs');
    expect(takeToken()).toBe('abc123');
    expect(location.search).toBe('?x=1');
    expect(location.hash).toBe('#/runs');
    // A reload without the token still works from sessionStorage.
    history.replaceState(null, '', '/#/runs');
    expect(takeToken()).toBe('abc123');
  });

  it('returns an empty token when there is none (the host then answers 401)', () => {
    history.replaceState(null, '', '/');
    expect(takeToken()).toBe('');
  });
});

describe('transport choice', () => {
  it('uses the preload bridge when window.workbench exists, HTTP otherwise', async () => {
    const calls: [string, unknown][] = [];
    const bridge = {
      api: new Proxy(
        {},
        { get: (_t, m: string) => async (args: unknown) => (calls.push([m, args]), { ok: true, value: m }) },
      ),
      on: () => () => undefined,
      dialogs: {
        openCsv: async () => '/data/x.csv',
        chooseDir: async () => null,
        saveText: async () => '/out/runs.csv',
      },
    } as unknown as WorkbenchBridge;
    window.workbench = bridge;
    const c = getClient();
    expect(c.transport).toBe('ipc');
    expect(await c.call('system.info', {})).toEqual({ ok: true, value: 'system.info' });
    expect(calls).toEqual([['system.info', {}]]);
    expect(await c.pickCsv!()).toBe('/data/x.csv');
    // A cancelled folder choice is reported, not an export into nowhere.
    expect((await c.exportModel(1, 'best')).ok).toBe(false);
    expect(calls).toHaveLength(1);
    expect(await c.saveText('runs.csv', 'a,b')).toEqual({ ok: true, value: { message: 'Saved /out/runs.csv' } });
    setClient(null);
    delete window.workbench;
    expect(getClient().transport).toBe('http');
  });

  it('refuses a dropped file in Electron with a message that says what to do', async () => {
    const c = bridgeClient({ api: {}, on: () => () => undefined } as unknown as WorkbenchBridge);
    const r = await c.upload(new File(['a'], 'a.csv'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/Import button/);
  });

  it('bundles into a file inside the folder picked in Electron, and imports the file picked in the open dialog', async () => {
    const calls: [string, unknown][] = [];
    const bridge = {
      api: new Proxy(
        {},
        {
          get: (_t, m: string) => async (args: { outPath?: string }) => (
            calls.push([m, args]),
            { ok: true, value: { path: args.outPath } }
          ),
        },
      ),
      on: () => () => undefined,
      dialogs: {
        openCsv: async () => '/in/runs.rnnwb',
        chooseDir: async () => 'C:\\Users\\me\\',
        saveText: async () => null,
      },
    } as unknown as WorkbenchBridge;
    const c = bridgeClient(bridge);
    expect(await c.bundleRuns([3, 4], false)).toEqual({
      ok: true,
      value: { message: 'Saved C:\\Users\\me\\runs-3-4.rnnwb' },
    });
    await c.importBundle();
    expect(calls).toEqual([
      ['runs.bundle', { ids: [3, 4], outPath: 'C:\\Users\\me\\runs-3-4.rnnwb', data: false }],
      ['runs.importBundle', { path: '/in/runs.rnnwb' }],
    ]);
  });
});
