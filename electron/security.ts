// Electron's security checklist as small functions over the Electron objects they touch, so the
// stand-in electron module in test/electron can check each one: window options, the CSP, no
// navigation, no new windows, no webviews, every permission request denied.
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { contentSecurityPolicy as sharedCsp } from '../core/static.js';

/**
 * The production CSP (core/static.ts, the same policy browser mode sends): only the app's own
 * origin. In development the Vite dev server is allowed too, with its websocket for hot reload.
 */
export function contentSecurityPolicy(devOrigin?: string): string {
  if (!devOrigin) return sharedCsp();
  return sharedCsp({ origins: [devOrigin], connect: [devOrigin, devOrigin.replace(/^http/, 'ws')] });
}

export function windowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Recurrent Workbench',
    backgroundColor: '#14161a',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Opens only plain https links in the user's browser; everything else is dropped. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * No navigation away from the loaded app, no new windows (an https link opens in the system
 * browser instead), no <webview>. `openExternal` is shell.openExternal.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => unknown): void {
  const block = (event: { preventDefault(): void }) => event.preventDefault();
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', block);
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

/** Denies every permission request and check (camera, notifications, clipboard-read, ...). */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Adds the CSP header to every response the session loads (dev server included). */
export function enforceCsp(session: Session, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}
