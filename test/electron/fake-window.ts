// The window side of the stand-in electron module (test/electron/fake-electron.ts): frames, web
// contents, BrowserWindow with its bounds, focus and taskbar progress, Notification, displays.
import { EventEmitter } from 'node:events';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault() {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

let nextId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  mainFrame = new FakeFrame('app://bundle/index.html');
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  isDestroyed() {
    return this.destroyed;
  }
  getURL() {
    return this.mainFrame.url;
  }
  /** Emits an event the way Electron does and says whether the handler prevented it. */
  fire(name: string, ...args: unknown[]): boolean {
    const e = new FakeEvent();
    this.emit(name, e, ...args);
    return e.defaultPrevented;
  }
}

export interface FakeRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static fromWebContents(contents: unknown): FakeBrowserWindow | null {
    return FakeBrowserWindow.all.find((w) => w.webContents === contents) ?? null;
  }
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  /** Every URL loaded, in order (a hash change included). */
  readonly loads: string[] = [];
  shown = false;
  destroyed = false;
  maximized = false;
  minimized = false;
  focused = false;
  focusCalls = 0;
  /** Every setProgressBar value, in order. */
  readonly progress: number[] = [];
  bounds: FakeRect;
  constructor(public options: Record<string, any>) {
    super();
    // Where a window manager would put a window that names no position.
    this.bounds = {
      x: options.x ?? 80,
      y: options.y ?? 60,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    this.loads.push(url);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show() {
    this.shown = true;
  }
  isVisible() {
    return this.shown && !this.minimized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
  minimize() {
    this.minimized = true;
    this.focused = false;
  }
  restore() {
    this.minimized = false;
  }
  focus() {
    this.focusCalls++;
    this.focused = true;
  }
  blur() {
    this.focused = false;
  }
  isFocused() {
    return this.focused;
  }
  isFullScreen() {
    return false;
  }
  isMaximized() {
    return this.maximized;
  }
  maximize() {
    this.maximized = true;
    this.shown = true; // as on Windows: maximizing shows a hidden window
    this.emit('maximize');
  }
  unmaximize() {
    this.maximized = false;
    this.emit('unmaximize');
  }
  /** A maximized window reports the display's work area; its normal bounds are what it restores to. */
  getBounds(): FakeRect {
    return this.maximized ? { x: 0, y: 0, width: 1920, height: 1040 } : { ...this.bounds };
  }
  getNormalBounds(): FakeRect {
    return { ...this.bounds };
  }
  setBounds(b: Partial<FakeRect>) {
    const moved = b.x !== undefined || b.y !== undefined;
    this.bounds = { ...this.bounds, ...b };
    this.emit(moved ? 'move' : 'resize');
  }
  setProgressBar(value: number) {
    this.progress.push(value);
  }
  /** What closing the window does: `close` (still alive), then `closed`. */
  close() {
    this.emit('close', new FakeEvent());
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** Electron's main-process Notification: records what was shown; `click()` is the user clicking it. */
export class FakeNotification extends EventEmitter {
  static supported = true;
  static all: FakeNotification[] = [];
  static isSupported() {
    return FakeNotification.supported;
  }
  shown = false;
  constructor(public options: { title: string; body: string; icon?: string }) {
    super();
    FakeNotification.all.push(this);
  }
  show() {
    this.shown = true;
  }
  click() {
    this.emit('click', new FakeEvent());
  }
}

export interface FakeDisplay {
  id: number;
  bounds: FakeRect;
  workArea: FakeRect;
}

/** One 1920×1080 display with a 40 px taskbar at the bottom. */
export const ONE_DISPLAY: FakeDisplay[] = [
  { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
];
