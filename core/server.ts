// Browser mode: serves the built renderer and the contract over HTTP + WebSocket on 127.0.0.1.
// Guarded like a local dev server that holds user data should be (cf. Jupyter's token):
// - a random per-launch token on every request (query `token`, header `x-workbench-token`), or the
//   HttpOnly SameSite=Strict cookie set when the page is opened with it: for the page's files, and
//   for the page's own same-origin requests (API, downloads, events), so other tabs work too;
// - the Host header must name this server (DNS-rebinding) and a present Origin must be ours (CSRF);
// - arguments are validated with the contract's zod schemas before the service sees them;
// - the browser cannot name host paths: imports read only files uploaded through /upload, and
//   models are exported into a private temp dir and streamed back as a zip.
// The routes are a table (core/server/routes.ts); the renderer's files, their types and the CSP come
// from core/static.ts, which Electron's app:// protocol uses too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Api } from './api.js';
import type { ServerContext } from './server/context.js';
import { serveEvents } from './server/events.js';
import { requestListener } from './server/routes.js';
import { UploadStore } from './server/upload-store.js';

export { TOKEN_HEADER } from './server/routes.js';
export { sanitizeFileName } from './server/upload.js';

export interface ServerOptions {
  service: Api;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Only loopback addresses make sense; default 127.0.0.1. */
  host?: string;
  /** Open the URL in the default browser. */
  open?: boolean;
  /** The built renderer; default dist/renderer next to this module. */
  staticDir?: string;
  /** Largest accepted CSV upload; default 2 GiB. */
  uploadLimitBytes?: number;
  /** Most bytes all uploads not yet imported may hold together; default 2 GiB. */
  uploadQuotaBytes?: number;
  /** Where this server's private upload folder is made (and dead servers' leftovers removed); default the OS temp dir. */
  uploadRoot?: string;
  /** Let HTTP clients import/export arbitrary host paths (tests, trusted scripts). Default false. */
  allowHostPaths?: boolean;
}

export interface RunningServer {
  /** Base URL with `?token=...`: what the user opens. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export function defaultStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled: dist/core/server.js → dist/renderer. From source (tsx): core/server.ts → dist/renderer.
  if (basename(dirname(here)) === 'dist') return join(dirname(here), 'renderer');
  return join(here, '..', 'dist', 'renderer');
}

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined); // no browser: the URL is printed anyway
    child.unref();
  } catch {
    /* the caller prints the URL */
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  const uploads = await UploadStore.create(options.uploadQuotaBytes ?? 2 * 1024 ** 3, options.uploadRoot);
  const ctx: ServerContext = {
    service: options.service,
    staticDir: resolve(options.staticDir ?? defaultStaticDir()),
    uploadLimit: options.uploadLimitBytes ?? 2 * 1024 ** 3,
    allowHostPaths: options.allowHostPaths ?? false,
    token: randomBytes(24).toString('base64url'),
    port: () => port,
    cookieName: () => `wb_token_${port}`,
    uploads,
  };
  const server = createServer(requestListener(ctx));
  const closeEvents = serveEvents(server, ctx);

  await new Promise<void>((ready, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      ready();
    });
  }).catch(async (e: unknown) => {
    closeEvents();
    await uploads.close();
    throw e;
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/?token=${ctx.token}`;
  if (!existsSync(join(ctx.staticDir, 'index.html'))) {
    process.emitWarning(`rnn-workbench serve: ${ctx.staticDir}/index.html is missing; run npm run build:renderer`);
  }
  if (options.open) openInBrowser(url);

  let closed: Promise<void> | null = null;
  return {
    url,
    token: ctx.token,
    port,
    close() {
      closed ??= (async () => {
        closeEvents();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await uploads.close();
      })();
      return closed;
    },
  };
}
