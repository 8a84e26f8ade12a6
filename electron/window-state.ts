// The window's size, position and maximized state, remembered across launches in
// userData/window-state.json. Written on move/resize (debounced: a drag fires dozens of events) and
// at once on close; restored only where it is visible on a display that exists now (a laptop
// unplugged from its second screen must not open the window off-screen).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

/** How much of the window's top strip (where the title bar is) must lie on a display. */
const GRIP = { width: 100, height: 30 };

export function windowStatePath(userData: string): string {
  return join(userData, WINDOW_STATE_FILE);
}

/** The saved state, or null when there is none or it is not what this module wrote. */
export function readWindowState(file: string): WindowState | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const s = raw as Record<string, unknown>;
  const nums = ['x', 'y', 'width', 'height'].map((k) => s[k]);
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  const [x, y, width, height] = nums as number[];
  if (width! <= 0 || height! <= 0) return null;
  return { x: x!, y: y!, width: width!, height: height!, maximized: s.maximized === true };
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Whether the window's title bar lies on one of the displays' work areas enough to grab it. */
export function isVisibleOn(bounds: Rect, workAreas: Rect[]): boolean {
  const strip = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(bounds.height, GRIP.height) };
  return workAreas.some((area) => {
    const o = overlap(strip, area);
    return o.width >= Math.min(GRIP.width, bounds.width) && o.height >= Math.min(GRIP.height, strip.height);
  });
}

/**
 * The bounds to open the window with: the saved ones when visible; else only the saved size, no
 * larger than the primary display, and the system places it. Null: nothing saved, use defaults.
 */
export function restoredBounds(
  state: WindowState | null,
  workAreas: Rect[],
): { bounds: Partial<Rect>; maximized: boolean } | null {
  if (!state) return null;
  const { x, y, width, height, maximized } = state;
  if (isVisibleOn(state, workAreas)) return { bounds: { x, y, width, height }, maximized };
  const primary = workAreas[0];
  return {
    bounds: {
      width: primary ? Math.min(width, primary.width) : width,
      height: primary ? Math.min(height, primary.height) : height,
    },
    maximized,
  };
}

/** The part of a BrowserWindow this module reads. */
export interface TrackedWindow {
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  isDestroyed(): boolean;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
  getBounds(): Rect;
  getNormalBounds(): Rect;
}

/** What to save: the normal (restored) bounds of a maximized, minimized or full-screen window. */
export function currentState(win: TrackedWindow): WindowState {
  const special = win.isMaximized() || win.isMinimized() || win.isFullScreen();
  const b = special ? win.getNormalBounds() : win.getBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
}

/** Writes beside the file and renames it over, so a crash mid-write never leaves half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  const partial = `${file}.partial`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(partial, JSON.stringify(state), 'utf8');
  renameSync(partial, file);
}

/** Saves the window's state on move/resize (debounced) and on close; returns a flush. */
export function rememberWindowState(
  win: TrackedWindow,
  file: string,
  { debounceMs = 500, log = () => {} }: { debounceMs?: number; log?: (m: string) => void } = {},
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed()) return;
    try {
      writeWindowState(file, currentState(win));
    } catch (err) {
      log(`cannot save the window state: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['move', 'resize', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', save);
  return save;
}
