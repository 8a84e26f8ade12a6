// Serving the built renderer, shared by both hosts that do it: the browser-mode server (HTTP) and
// Electron's app:// protocol. One place decides which file a URL path names (never one outside
// the renderer folder), its MIME type, the Content-Security-Policy and the headers sent with it.
import { isAbsolute, extname, relative, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `child` is strictly below `parent` (not parent itself, not a sibling via `..`). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

/**
 * The file under `root` that a URL path (still percent-encoded, as in `URL.pathname`) names: `/`
 * is index.html; null for a malformed encoding, a NUL byte or anything outside root.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(base, '.' + path);
  return isInside(file, base) ? file : null;
}

export interface CspOptions {
  /** Origins allowed besides 'self' for scripts, styles, images and fonts (the dev server). */
  origins?: string[];
  /** Where the page may connect besides 'self' (the server's WebSocket, the dev server's). */
  connect?: string[];
}

/**
 * The renderer's Content-Security-Policy, for the desktop app and browser mode alike: only the
 * page's own origin; inline styles stay allowed because Svelte and ECharts set style attributes.
 */
export function contentSecurityPolicy({ origins = [], connect = [] }: CspOptions = {}): string {
  const self = ["'self'", ...origins].join(' ');
  return [
    "default-src 'none'",
    `script-src ${self}`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data: blob:`,
    `font-src ${self} data:`,
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "worker-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers for one static file: its type, the CSP, no sniffing, revalidate on every load. */
export function staticHeaders(file: string, csp: string): Record<string, string> {
  return {
    'content-type': mimeType(file),
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}

/** Hashed build output (`/assets/index-D72YAdMC.js`): its name changes with its content. */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export function isHashedAsset(urlPath: string): boolean {
  return HASHED_ASSET.test(urlPath);
}

/**
 * Hashed assets are cached for a year without revalidation (a new build has new names);
 * everything else, index.html first, is revalidated on every load (cheap with the ETag).
 */
export function cacheControlFor(urlPath: string): string {
  return isHashedAsset(urlPath) ? IMMUTABLE : 'no-cache';
}

export type Encoding = 'br' | 'gzip';

/**
 * The encoding to send for an Accept-Encoding header: the client's highest q among br and gzip,
 * br on a tie (smaller); null for none (identity). `*` stands for any coding not named.
 */
export function negotiateEncoding(accept: string | undefined): Encoding | null {
  if (!accept) return null;
  const q = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const of = (c: string) => q.get(c) ?? q.get('*') ?? 0;
  const br = of('br');
  const gz = Math.max(of('gzip'), q.get('x-gzip') ?? 0);
  if (br <= 0 && gz <= 0) return null;
  return br >= gz ? 'br' : 'gzip';
}

const COMPRESSIBLE = /^(text\/|application\/(javascript|json|wasm)|image\/svg\+xml)/;

/** Text-like files above 1 KB are worth compressing (images and fonts already are). */
export function isCompressible(file: string, size: number): boolean {
  return size > 1024 && COMPRESSIBLE.test(mimeType(file));
}
