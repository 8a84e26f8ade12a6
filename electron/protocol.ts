// The renderer is served from dist/renderer over a privileged `app://bundle/` scheme rather than
// file://: one fixed origin for the CSP and the sender check, no access to the rest of the disk,
// and a path that cannot climb out of the renderer folder.
import { readFile } from 'node:fs/promises';
import { resolveStaticPath, staticHeaders } from '../core/static.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Passed to protocol.registerSchemesAsPrivileged before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
};

/** The file under `root` an app:// URL names, or null for another host or a path outside root. */
export function resolveAppPath(url: string, root: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  return resolveStaticPath(root, parsed.pathname);
}

/** The protocol.handle callback: files from `root` with their type and the CSP header (core/static.ts, as browser mode). */
export function appProtocolHandler(root: string, csp: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveAppPath(request.url, root);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: staticHeaders(file, csp) });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  };
}

/** True when a frame URL belongs to the app: the app:// origin, or the dev server in development. */
export function isAppUrl(url: string, devOrigin?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  return devOrigin !== undefined && parsed.origin === devOrigin;
}
