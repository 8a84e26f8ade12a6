// GET /download/export (a model as a zip, `format=tfjs|onnx`), GET /download/bundle (runs as a .rnnwb bundle; nothing
// of either left on disk) and the built renderer's files.
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { parseArgs } from '../contract.js';
import { StaticFiles } from '../static-files.js';
import { contentSecurityPolicy, resolveStaticPath, staticHeaders } from '../static.js';
import type { RouteHandler } from './context.js';
import { fail, sendError, sendJson } from './http.js';

const EXPORT_ROOT = join(tmpdir(), 'rnn-workbench-exports');

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

export const exportRoute: RouteHandler = async (ctx, { res, url }) => {
  const id = Number(url.searchParams.get('run'));
  const checkpoint = url.searchParams.get('checkpoint') ?? 'best';
  const format = url.searchParams.get('format') ?? 'tfjs';
  await mkdir(EXPORT_ROOT, { recursive: true });
  const outDir = await mkdtemp(join(EXPORT_ROOT, 'e-'));
  let zip: Uint8Array;
  let fileName: string;
  try {
    const parsed = parseArgs('runs.export', { id, outDir, checkpoint, format });
    if (!parsed.ok) return sendJson(res, 400, parsed);
    const result = await ctx.service.call('runs.export', parsed.value);
    if (!result.ok) return sendError(res, result.error);
    const files = await listFiles(outDir);
    // fflate (issue 13); weights.bin barely compresses, so entries are stored as before.
    const entries: Zippable = {};
    for (const f of files) entries[relative(outDir, f).split(sep).join('/')] = [await readFile(f), { level: 0 }];
    zip = zipSync(entries);
    fileName = `run-${id}-${result.value.checkpoint}-${parsed.value.format === 'onnx' ? 'onnx' : 'model'}.zip`;
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
};

/** `?runs=1,2,3[&data=0]`: the runs as one bundle file, built in a private temp dir and sent. */
export const bundleRoute: RouteHandler = async (ctx, { res, url }) => {
  const ids = (url.searchParams.get('runs') ?? '').split(',').filter(Boolean).map(Number);
  await mkdir(EXPORT_ROOT, { recursive: true });
  const dir = await mkdtemp(join(EXPORT_ROOT, 'b-'));
  const fileName = ids.length <= 5 ? `runs-${ids.join('-')}.rnnwb` : `runs-${ids.length}.rnnwb`;
  let body: Buffer;
  try {
    const parsed = parseArgs('runs.bundle', {
      ids,
      outPath: join(dir, fileName),
      data: url.searchParams.get('data') !== '0',
    });
    if (!parsed.ok) return sendJson(res, 400, parsed);
    const result = await ctx.service.call('runs.bundle', parsed.value);
    if (!result.ok) return sendError(res, result.error);
    body = await readFile(result.value.path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': body.length,
    'content-disposition': `attachment; filename="${fileName}"`,
    'cache-control': 'no-store',
  });
  res.end(body);
};

const staticFiles = new StaticFiles();

/** The page may connect only to this server's own WebSocket. */
const serverCsp = (port: number) =>
  contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });

export const staticRoute: RouteHandler = async (ctx, { req, res, url, byQueryToken }) => {
  const file = resolveStaticPath(ctx.staticDir, url.pathname);
  if (!file) return fail(res, 404, 'not_found', 'not found');
  const info = await stat(file).catch(() => null);
  if (!info && file === join(ctx.staticDir, 'index.html')) {
    return fail(res, 500, 'internal', `the renderer is not built (${ctx.staticDir}); run npm run build:renderer`);
  }
  if (!info?.isFile()) return fail(res, 404, 'not_found', 'not found');
  // Compressed, cached with an ETag, immutable when hashed (core/static-files.ts).
  const reply = await staticFiles.reply(file, url.pathname, info, {
    acceptEncoding: req.headers['accept-encoding'],
    ifNoneMatch: req.headers['if-none-match'],
  });
  const headers: Record<string, string | number> = {
    ...staticHeaders(file, serverCsp(ctx.port())),
    ...reply.headers,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (byQueryToken) headers['set-cookie'] = `${ctx.cookieName()}=${ctx.token}; HttpOnly; SameSite=Strict; Path=/`;
  res.writeHead(reply.status, headers);
  if (req.method === 'HEAD' || !reply.body) return void res.end();
  res.end(reply.body);
};
