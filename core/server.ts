// Browser mode: serves the built renderer and the contract over HTTP + WebSocket on 127.0.0.1.
// Guarded like a local dev server that holds user data should be (cf. Jupyter's token):
// - a random per-launch token on every request (query `token`, header `x-workbench-token`, or
//   for static files only an HttpOnly SameSite=Strict cookie set when the page is opened with it);
// - the Host header must name this server (DNS-rebinding) and a present Origin must be ours (CSRF);
// - arguments are validated with the contract's zod schemas before the service sees them;
// - the browser cannot name host paths: imports read only files uploaded through /upload, and
//   models are exported into a private temp dir and streamed back as a zip.
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Api } from './api.js';
import { EVENT_NAMES, isMethodName, parseArgs, type ApiError, type ErrorCode, type Result } from './contract.js';
import { zipStore } from './zip.js';

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

export const TOKEN_HEADER = 'x-workbench-token';
const API_BODY_LIMIT = 16 * 1024 * 1024;
const UPLOAD_ROOT = join(tmpdir(), 'rnn-workbench-uploads');
const EXPORT_ROOT = join(tmpdir(), 'rnn-workbench-exports');

const STATUS_OF: Record<ErrorCode, number> = {
  invalid_args: 400,
  bad_input: 422,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  internal: 500,
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export function defaultStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled: dist/core/server.js → dist/renderer. From source (tsx): core/server.ts → dist/renderer.
  if (basename(dirname(here)) === 'dist') return join(dirname(here), 'renderer');
  return join(here, '..', 'dist', 'renderer');
}

/** Content-Security-Policy for the page; inline styles stay allowed because Svelte and ECharts set them. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Keeps a plain file name: no directories, no odd characters, bounded length. */
export function sanitizeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).normalize('NFC');
  const clean = base.replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^[.\s]+/, '').trim();
  const limited = clean.slice(-120);
  return limited || 'upload.csv';
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

function sameToken(a: string | undefined | null, token: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: ErrorCode, message: string, field?: string): void {
  const error: ApiError = { code, message, ...(field ? { field } : {}) };
  sendJson(res, status, { ok: false, error });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function cookieToken(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
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
  const service = options.service;
  const host = options.host ?? '127.0.0.1';
  const staticDir = resolve(options.staticDir ?? defaultStaticDir());
  const uploadLimit = options.uploadLimitBytes ?? 2 * 1024 ** 3;
  const token = randomBytes(24).toString('base64url');
  let port = options.port ?? 0;
  const cookieName = () => `wb_token_${port}`;
  const launchUploads = new Set<string>();

  const ownHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const ownOrigins = () => new Set([...ownHosts()].map((h) => `http://${h}`));

  /** Host and Origin checks shared by HTTP and the WebSocket upgrade; returns a reason or null. */
  function refuseOrigin(req: IncomingMessage): string | null {
    if (!req.headers.host || !ownHosts().has(req.headers.host)) return `unexpected Host header "${req.headers.host ?? ''}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().has(origin)) return `requests from origin "${origin}" are not allowed`;
    return null;
  }

  function requestToken(req: IncomingMessage, url: URL): string | null {
    const header = req.headers[TOKEN_HEADER];
    return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('token');
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return fail(res, 405, 'invalid_args', 'use POST for /api/<method>');
    if (!isMethodName(method)) return fail(res, 404, 'not_found', `unknown method "${method}"`);
    let args: unknown;
    try {
      const body = await readBody(req, API_BODY_LIMIT);
      args = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      return fail(res, status, 'invalid_args', `request body: ${(err as Error).message}`);
    }
    const parsed = parseArgs(method, args);
    if (!parsed.ok) return sendJson(res, 400, parsed);
    if (!options.allowHostPaths) {
      if (method === 'datasets.import') {
        const path = resolve((parsed.value as { path: string }).path);
        if (!isInside(path, UPLOAD_ROOT)) {
          return fail(res, 403, 'forbidden', 'in browser mode a dataset is imported from an uploaded file (POST /upload)', 'path');
        }
      }
      if (method === 'runs.export') {
        return fail(res, 403, 'forbidden', 'in browser mode a model is exported with GET /download/export', 'outDir');
      }
    }
    let result: Result<unknown>;
    try {
      result = (await service.call(method, parsed.value as never)) as Result<unknown>;
    } catch (err) {
      result = { ok: false, error: { code: 'internal', message: (err as Error).message } };
    }
    if (method === 'datasets.import') {
      // The uploaded copy has served its purpose whatever the outcome: the data now lives in SQLite.
      const dir = dirname(resolve((parsed.value as { path: string }).path));
      if (launchUploads.has(dir)) {
        launchUploads.delete(dir);
        await rm(dir, { recursive: true, force: true });
      }
    }
    sendJson(res, result.ok ? 200 : STATUS_OF[result.error.code] ?? 500, result);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') return fail(res, 405, 'invalid_args', 'use POST for /upload');
    const name = sanitizeFileName(url.searchParams.get('name') ?? 'upload.csv');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > uploadLimit) {
      return fail(res, 413, 'bad_input', `file is ${declared} bytes; the limit is ${uploadLimit}`, 'file');
    }
    await mkdir(UPLOAD_ROOT, { recursive: true });
    const dir = await mkdtemp(join(UPLOAD_ROOT, 'u-'));
    launchUploads.add(dir);
    const path = join(dir, name);
    const out = createWriteStream(path);
    let size = 0;
    let tooLarge = false;
    await new Promise<void>((done) => {
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > uploadLimit && !tooLarge) {
          tooLarge = true;
          req.unpipe(out);
          out.destroy();
          req.resume();
        }
      });
      req.pipe(out);
      const finish = () => done();
      out.on('finish', finish);
      out.on('close', finish);
      out.on('error', finish);
      req.on('error', finish);
    });
    if (tooLarge || (req.destroyed && !req.complete)) {
      launchUploads.delete(dir);
      await rm(dir, { recursive: true, force: true });
      if (tooLarge) return fail(res, 413, 'bad_input', `file is larger than the limit of ${uploadLimit} bytes`, 'file');
      return;
    }
    sendJson(res, 200, { ok: true, value: { path, name, bytes: size } });
  }

  async function handleExport(res: ServerResponse, url: URL): Promise<void> {
    const id = Number(url.searchParams.get('run'));
    const checkpoint = url.searchParams.get('checkpoint') ?? 'best';
    await mkdir(EXPORT_ROOT, { recursive: true });
    const outDir = await mkdtemp(join(EXPORT_ROOT, 'e-'));
    let zip: Buffer;
    let fileName: string;
    try {
      const parsed = parseArgs('runs.export', { id, outDir, checkpoint });
      if (!parsed.ok) return sendJson(res, 400, parsed);
      const result = await service.call('runs.export', parsed.value);
      if (!result.ok) return sendJson(res, STATUS_OF[result.error.code] ?? 500, result);
      const files = await listFiles(outDir);
      zip = zipStore(
        await Promise.all(
          files.map(async (f) => ({ name: relative(outDir, f).split(sep).join('/'), data: await readFile(f) })),
        ),
      );
      fileName = `run-${id}-${result.value.checkpoint}-model.zip`;
    } finally {
      // Nothing of the export stays on disk: the zip in memory is the only copy.
      await rm(outDir, { recursive: true, force: true });
    }
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': zip.length,
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    });
    res.end(zip);
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL, authedByQuery: boolean): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'invalid_args', 'method not allowed');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return fail(res, 400, 'invalid_args', 'bad path');
    }
    if (pathname === '/' || pathname === '') pathname = '/index.html';
    const file = resolve(staticDir, '.' + pathname);
    if (!isInside(file, staticDir)) return fail(res, 404, 'not_found', 'not found');
    let info;
    try {
      info = await stat(file);
    } catch {
      if (pathname === '/index.html') {
        return fail(res, 500, 'internal', `the renderer is not built (${staticDir}); run npm run build:renderer`);
      }
      return fail(res, 404, 'not_found', 'not found');
    }
    if (!info.isFile()) return fail(res, 404, 'not_found', 'not found');
    const headers: Record<string, string | number> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
      'content-security-policy': contentSecurityPolicy(port),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
    };
    if (authedByQuery) {
      headers['set-cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    res.end(await readFile(file));
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const refused = refuseOrigin(req);
      if (refused) return fail(res, 403, 'forbidden', refused);
      const given = requestToken(req, url);
      const isStatic = !url.pathname.startsWith('/api/') && url.pathname !== '/upload' && !url.pathname.startsWith('/download/');
      const tokenOk = sameToken(given, token);
      if (!tokenOk && !(isStatic && sameToken(cookieToken(req, cookieName()), token))) {
        return fail(res, 401, 'forbidden', 'missing or wrong token: open the URL that `rnn-workbench serve` printed');
      }
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, url.pathname.slice('/api/'.length));
      if (url.pathname === '/upload') return handleUpload(req, res, url);
      if (url.pathname === '/download/export') {
        if (req.method !== 'GET') return fail(res, 405, 'invalid_args', 'use GET');
        return handleExport(res, url);
      }
      if (url.pathname.startsWith('/download/')) return fail(res, 404, 'not_found', 'not found');
      return handleStatic(req, res, url, tokenOk && url.searchParams.has('token'));
    })().catch((err: unknown) => {
      if (!res.headersSent) fail(res, 500, 'internal', (err as Error).message);
      else res.destroy();
    });
  });

  // Events: one WebSocket per page; every contract event is broadcast as { event, payload }.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refuseOrigin(req);
    const ok = !refused && url.pathname === '/events' && sameToken(requestToken(req, url), token);
    if (!ok) {
      socket.write(`HTTP/1.1 ${refused ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });
  const unsubscribers = EVENT_NAMES.map((event) =>
    service.on(event, (payload) => {
      const text = JSON.stringify({ event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    }),
  );

  await new Promise<void>((ready, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      ready();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/?token=${token}`;
  if (!existsSync(join(staticDir, 'index.html'))) {
    process.emitWarning(`rnn-workbench serve: ${staticDir}/index.html is missing; run npm run build:renderer`);
  }
  if (options.open) openInBrowser(url);

  let closed: Promise<void> | null = null;
  return {
    url,
    token,
    port,
    close() {
      closed ??= (async () => {
        for (const off of unsubscribers) off();
        for (const ws of clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
        await Promise.all([...launchUploads].map((d) => rm(d, { recursive: true, force: true })));
        launchUploads.clear();
      })();
      return closed;
    },
  };
}
