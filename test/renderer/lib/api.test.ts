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

describe('a page the host refuses (issue 14 bug 6)', () => {
  // The server's real request guards (core/server/routes.ts) on a plain node:http server; `ws`
  // has no server in this jsdom environment, so upgrades are counted and refused as events.ts does.
  it('tells the app once and stops retrying the event socket', async () => {
    const { createServer } = await import('node:http');
    const { requestListener } = await import('../../../core/server/routes.js');
    const { httpClient } = await import('../../../renderer/src/lib/api.js');
    let upgrades = 0;
    let port = 0;
    const ctx = {
      service: { call: async () => ({ ok: true, value: null }), on: () => () => undefined },
      staticDir: '/nonexistent',
      uploadLimit: 0,
      allowHostPaths: false,
      token: 't'.repeat(32),
      port: () => port,
      cookieName: () => `wb_token_${port}`,
      uploads: null,
    } as unknown as Parameters<typeof requestListener>[0];
    const server = createServer(requestListener(ctx));
    server.on('upgrade', (_req, socket) => {
      upgrades++;
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
    try {
      const client = httpClient('', `http://127.0.0.1:${port}`);
      let denied = 0;
      client.onDenied!(() => denied++);
      const off = client.on('run:status', () => undefined);
      const r = await client.call('runs.list', {});
      expect(r.ok).toBe(false);
      await new Promise((res) => setTimeout(res, 1500));
      expect(denied).toBe(1);
      // No retry loop once the host said no (before: a new socket every 0.5, 1, 2, 4, 5, 5 ... s).
      const n = upgrades;
      await new Promise((res) => setTimeout(res, 4000));
      expect(upgrades).toBe(n);
      expect(n).toBeLessThanOrEqual(2);
      off();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
