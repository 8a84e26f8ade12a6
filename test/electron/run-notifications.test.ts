// A notification when a run completes, fails or is interrupted (not when the user stopped it, and
// not when the user is looking at that run); clicking it brings the window forward on the run's
// page, which main shows by loading the same document with the run's hash route.
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../electron/protocol.js';
import { notifyRunEnds, runNotice, type NoticeRun } from '../../electron/run-notifications.js';
import { bringToFront, isShowing, routeUrl, runRoute, showRoute } from '../../electron/window-focus.js';
import { FakeBrowserWindow, FakeNotification } from './fake-electron.js';
import { runEvents } from './run-events.js';

const row = (over: Partial<NoticeRun> = {}): NoticeRun => ({
  name: 'gru 16',
  epochsDone: 12,
  test: { 'test.rmse': 0.123456, 'naive.rmse': 0.2 },
  error: null,
  ...over,
});
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the notice of a run', () => {
  it('names the run, its epochs and headline score, or why it failed', () => {
    expect(runNotice(3, 'completed', row())).toEqual({
      title: 'Run “gru 16” finished',
      body: '12 epochs · test RMSE 0.1235',
    });
    expect(runNotice(3, 'completed', row({ epochsDone: 1, test: { 'test.accuracy': 0.9 } }))).toEqual({
      title: 'Run “gru 16” finished',
      body: '1 epoch · test accuracy 0.9000',
    });
    expect(runNotice(3, 'failed', row(), 'out of memory\n  at x')).toEqual({
      title: 'Run “gru 16” failed',
      body: 'out of memory at x',
    });
    expect(runNotice(3, 'interrupted', null, null)).toEqual({
      title: 'Run #3 was interrupted',
      body: 'See the run log for details',
    });
    expect(runNotice(3, 'failed', row({ error: 'x'.repeat(500) }))!.body).toHaveLength(180);
    for (const quiet of ['queued', 'running', 'stopped'] as const) expect(runNotice(3, quiet, row())).toBeNull();
  });
});

describe('window focus and routes', () => {
  it('brings a minimized or hidden window forward', () => {
    const win = new FakeBrowserWindow({});
    win.minimize();
    bringToFront(win as never);
    expect([win.isMinimized(), win.shown, win.isFocused()]).toEqual([false, true, true]);
    expect(() => bringToFront(null)).not.toThrow();
  });

  it('shows a route by replacing the hash of the page shown, or of the entry page', () => {
    const app = (u: string) => isAppUrl(u);
    expect(runRoute(7)).toBe('#/live/7');
    expect(routeUrl('app://bundle/index.html#/runs', 'app://bundle/index.html', '#/live/7', app)).toBe(
      'app://bundle/index.html#/live/7',
    );
    expect(routeUrl('about:blank', 'app://bundle/index.html', '#/live/7', app)).toBe('app://bundle/index.html#/live/7');
    const dev = (u: string) => isAppUrl(u, 'http://localhost:5173');
    expect(routeUrl('http://localhost:5173/#/compare', 'http://localhost:5173/', '#/live/2', dev)).toBe(
      'http://localhost:5173/#/live/2',
    );
  });

  it('knows when the user looks at the run: focused on its page', () => {
    const win = new FakeBrowserWindow({});
    void win.loadURL('app://bundle/index.html#/live/7');
    expect(isShowing(win as never, '#/live/7')).toBe(false); // not focused
    win.focus();
    expect(isShowing(win as never, '#/live/7')).toBe(true);
    expect(isShowing(win as never, '#/live/70')).toBe(false);
    win.minimize();
    expect(isShowing(win as never, '#/live/7')).toBe(false);
    showRoute(win as never, '#/live/9', 'app://bundle/index.html', (u) => isAppUrl(u));
    expect([win.loadedUrl, win.isMinimized(), win.isFocused()]).toEqual([
      'app://bundle/index.html#/live/9',
      false,
      true,
    ]);
  });
});

describe('run notifications', () => {
  it('shows one per finished or failed run and opens the run on click', async () => {
    FakeNotification.all = [];
    const bus = runEvents();
    const opened: number[] = [];
    const logged: string[] = [];
    const rows = new Map<number, NoticeRun>([
      [1, row()],
      [2, row({ name: 'lstm', error: 'NaN loss at epoch 3' })],
    ]);
    notifyRunEnds({
      on: bus.on,
      getRun: async (id) => rows.get(id) ?? null,
      Notification: FakeNotification,
      openRun: (id) => opened.push(id),
      icon: '/app/build/icon.png',
      log: (m) => logged.push(m),
    });
    for (const status of ['queued', 'running', 'stopped'] as const) bus.emit('run:status', { runId: 1, status });
    bus.emit('run:status', { runId: 1, status: 'completed' });
    bus.emit('run:status', { runId: 2, status: 'failed', error: 'NaN loss at epoch 3' });
    await settle();
    expect(FakeNotification.all.map((n) => [n.options.title, n.options.body, n.shown])).toEqual([
      ['Run “gru 16” finished', '12 epochs · test RMSE 0.1235', true],
      ['Run “lstm” failed', 'NaN loss at epoch 3', true],
    ]);
    expect(FakeNotification.all[0]!.options.icon).toBe('/app/build/icon.png');
    FakeNotification.all[1]!.click();
    expect(opened).toEqual([2]);
    expect(logged).toContain('notification: Run “lstm” failed (run 2)');
  });

  it('stays quiet when the user watches the run, when unsupported, and after unsubscribing', async () => {
    FakeNotification.all = [];
    const bus = runEvents();
    const logged: string[] = [];
    const off = notifyRunEnds({
      on: bus.on,
      getRun: async () => row(),
      Notification: FakeNotification,
      openRun: () => {},
      isWatching: (id) => id === 5,
      log: (m) => logged.push(m),
    });
    bus.emit('run:status', { runId: 5, status: 'completed' });
    FakeNotification.supported = false;
    bus.emit('run:status', { runId: 6, status: 'completed' });
    await settle();
    FakeNotification.supported = true;
    off();
    bus.emit('run:status', { runId: 7, status: 'completed' });
    await settle();
    expect(FakeNotification.all).toEqual([]);
    expect(logged).toEqual([
      'notification skipped (run 5 is on screen): Run “gru 16” finished',
      'notifications unsupported: Run “gru 16” finished',
    ]);
  });
});
