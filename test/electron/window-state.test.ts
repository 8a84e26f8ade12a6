// The window opens where it was left: size, position and maximized state saved in
// userData/window-state.json (debounced on move/resize, at once on close) and restored only when
// the title bar would be on a display that exists now.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openMainWindow } from '../../electron/main-window.js';
import {
  isVisibleOn,
  readWindowState,
  rememberWindowState,
  restoredBounds,
  windowStatePath,
  writeWindowState,
} from '../../electron/window-state.js';
import { tempDir } from '../helpers.js';
import { FakeBrowserWindow, createFakeElectron, type FakeDisplay } from './fake-electron.js';

const t = tempDir('rnnwb-winstate-');
afterAll(() => t.cleanup());

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor = { x: 1440, y: 0, width: 2560, height: 1400 };

describe('where a saved window may go', () => {
  it('is visible when its title bar lies on a work area, even partly', () => {
    expect(isVisibleOn({ x: 100, y: 100, width: 1000, height: 700 }, [laptop])).toBe(true);
    expect(isVisibleOn({ x: 1300, y: 10, width: 1000, height: 700 }, [laptop])).toBe(true); // 140 px on screen
    expect(isVisibleOn({ x: 2000, y: 100, width: 1000, height: 700 }, [laptop])).toBe(false); // the unplugged monitor
    expect(isVisibleOn({ x: 2000, y: 100, width: 1000, height: 700 }, [laptop, rightMonitor])).toBe(true);
    expect(isVisibleOn({ x: 100, y: -500, width: 1000, height: 700 }, [laptop])).toBe(false); // title bar above the top
    expect(isVisibleOn({ x: -960, y: 100, width: 1000, height: 700 }, [laptop])).toBe(false); // 40 px: too little to grab
  });

  it('restores a visible window as it was, and only the size (capped) of one that is not', () => {
    const saved = { x: 2000, y: 100, width: 2400, height: 1300, maximized: true };
    expect(restoredBounds(saved, [laptop, rightMonitor])).toEqual({
      bounds: { x: 2000, y: 100, width: 2400, height: 1300 },
      maximized: true,
    });
    expect(restoredBounds(saved, [laptop])).toEqual({ bounds: { width: 1440, height: 875 }, maximized: true });
    expect(restoredBounds(null, [laptop])).toBeNull();
  });

  it('reads only a file it wrote', () => {
    const file = join(t.dir, 'read.json');
    for (const bad of ['', '{', '[]', '{"x":1,"y":2,"width":"a","height":3}', '{"x":1,"y":2,"width":0,"height":3}']) {
      writeFileSync(file, bad);
      expect(readWindowState(file), bad).toBeNull();
    }
    writeFileSync(file, '{"x":1,"y":2,"width":900,"height":600,"maximized":true}');
    expect(readWindowState(file)).toEqual({ x: 1, y: 2, width: 900, height: 600, maximized: true });
    expect(readWindowState(join(t.dir, 'missing.json'))).toBeNull();
  });
});

describe('saving the window state', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes once after a burst of moves, at once on close, and the normal bounds of a maximized window', () => {
    const file = join(t.dir, 'save.json');
    const win = new FakeBrowserWindow({ x: 10, y: 20, width: 1000, height: 700 });
    rememberWindowState(win, file, { debounceMs: 500 });
    for (let i = 0; i < 20; i++) win.setBounds({ x: 10 + i, y: 20 });
    expect(readWindowState(file)).toBeNull(); // still dragging
    vi.advanceTimersByTime(499);
    expect(readWindowState(file)).toBeNull();
    vi.advanceTimersByTime(1);
    expect(readWindowState(file)).toEqual({ x: 29, y: 20, width: 1000, height: 700, maximized: false });

    win.setBounds({ width: 1200, height: 800 });
    win.maximize();
    win.close(); // before the debounce: the close writes
    expect(readWindowState(file)).toEqual({ x: 29, y: 20, width: 1200, height: 800, maximized: true });
    vi.advanceTimersByTime(1000); // the pending write finds the window gone and leaves the file
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ maximized: true });
  });
});

describe('the main window', () => {
  const open = (userData: string, displays?: FakeDisplay[]) => {
    const { electron } = createFakeElectron({ userData, ...(displays ? { displays } : {}) });
    return openMainWindow(electron as never, { preloadPath: '/p.cjs', userData }) as unknown as FakeBrowserWindow;
  };

  it('opens with the defaults, then where it was left, maximized again when it was', () => {
    const userData = join(t.dir, 'profile');
    const first = open(userData);
    expect(first.options).toMatchObject({ width: 1360, height: 880, show: false });
    expect(first.options).not.toHaveProperty('x');
    first.setBounds({ x: 300, y: 200, width: 1100, height: 750 });
    first.maximize();
    first.close();
    expect(readWindowState(windowStatePath(userData))).toMatchObject({ x: 300, width: 1100, maximized: true });

    const second = open(userData);
    expect(second.options).toMatchObject({ x: 300, y: 200, width: 1100, height: 750, show: false });
    expect(second.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(second.isMaximized()).toBe(false);
    second.emit('ready-to-show');
    expect(second.isMaximized()).toBe(true);
    expect(second.shown).toBe(true);
  });

  it('does not open off-screen when the display it was on is gone', () => {
    const userData = join(t.dir, 'profile2');
    writeWindowState(windowStatePath(userData), { x: 3000, y: 100, width: 1800, height: 1000, maximized: false });
    const small: FakeDisplay[] = [{ id: 7, bounds: laptop, workArea: laptop }];
    const win = open(userData, small);
    expect(win.options).not.toHaveProperty('x');
    expect(win.options).toMatchObject({ width: 1440, height: 875 });
  });
});
