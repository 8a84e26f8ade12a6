// Bringing the window forward and showing a page in it, for what starts outside the window: a
// notification click, a file opened with the app, a second launch. The renderer routes by the
// URL's hash (`#/live/7`, renderer/src/lib/app.svelte.ts), so main shows a page by loading the
// same document with another hash: Chromium treats that as a same-document navigation (the page
// gets `hashchange`, nothing reloads), and a page that does reload reads the hash at start.

/** The part of a BrowserWindow used here. */
export interface FocusableWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  loadURL(url: string): Promise<void>;
  readonly webContents: { getURL(): string };
}

export function bringToFront(win: FocusableWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}

/** The hash route of a run's page. */
export function runRoute(runId: number): string {
  return `#/live/${Math.trunc(runId)}`;
}

/**
 * The URL that shows `route` in the app: the page currently shown with its hash replaced, or the
 * entry page when the window shows something else (still loading, or about:blank).
 */
export function routeUrl(
  currentUrl: string,
  entryUrl: string,
  route: string,
  isAppPage: (url: string) => boolean,
): string {
  const base = isAppPage(currentUrl) ? currentUrl : entryUrl;
  return `${base.replace(/#.*$/, '')}${route}`;
}

/** Brings the window forward and shows `route` in it. */
export function showRoute(
  win: FocusableWindow | null,
  route: string,
  entryUrl: string,
  isAppPage: (url: string) => boolean,
): void {
  if (!win || win.isDestroyed()) return;
  bringToFront(win);
  const url = routeUrl(win.webContents.getURL(), entryUrl, route, isAppPage);
  void win.loadURL(url).catch(() => undefined); // a superseded navigation rejects; nothing to do
}

/** Whether the window is focused and showing `route` (then a notification about it is noise). */
export function isShowing(win: (FocusableWindow & { isFocused(): boolean }) | null, route: string): boolean {
  if (!win || win.isDestroyed() || !win.isFocused() || win.isMinimized()) return false;
  const hash = /#.*$/.exec(win.webContents.getURL())?.[0] ?? '';
  return hash === route;
}
