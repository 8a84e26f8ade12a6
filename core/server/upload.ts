// POST /upload?name=<file>: a CSV streamed into a private folder of this launch; the page then
// imports it by the path it gets back (the only host path browser mode may import from).
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RouteHandler } from './context.js';
import { fail, sendJson } from './http.js';

export const UPLOAD_ROOT = join(tmpdir(), 'rnn-workbench-uploads');

/** Keeps a plain file name: no directories, no odd characters, bounded length. */
export function sanitizeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).normalize('NFC');
  const clean = base.replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^[.\s]+/, '').trim();
  const limited = clean.slice(-120);
  return limited || 'upload.csv';
}

/** Streams the body to `path`; resolves with the size, or `tooLarge` once it passes `limit`. */
function receive(req: IncomingMessage, path: string, limit: number): Promise<{ size: number; tooLarge: boolean }> {
  const out = createWriteStream(path);
  let size = 0;
  let tooLarge = false;
  return new Promise((done) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !tooLarge) {
        tooLarge = true;
        req.unpipe(out);
        out.destroy();
        req.resume();
      }
    });
    req.pipe(out);
    const finish = () => done({ size, tooLarge });
    out.on('finish', finish);
    out.on('close', finish);
    out.on('error', finish);
    req.on('error', finish);
  });
}

export const uploadRoute: RouteHandler = async (ctx, { req, res, url }) => {
  const name = sanitizeFileName(url.searchParams.get('name') ?? 'upload.csv');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > ctx.uploadLimit) {
    return fail(res, 413, 'bad_input', `file is ${declared} bytes; the limit is ${ctx.uploadLimit}`, 'file');
  }
  await mkdir(UPLOAD_ROOT, { recursive: true });
  const dir = await mkdtemp(join(UPLOAD_ROOT, 'u-'));
  ctx.uploads.add(dir);
  const path = join(dir, name);
  const { size, tooLarge } = await receive(req, path, ctx.uploadLimit);
  if (tooLarge || (req.destroyed && !req.complete)) {
    ctx.uploads.delete(dir);
    await rm(dir, { recursive: true, force: true });
    if (tooLarge) return fail(res, 413, 'bad_input', `file is larger than the limit of ${ctx.uploadLimit} bytes`, 'file');
    return;
  }
  sendJson(res, 200, { ok: true, value: { path, name, bytes: size } });
};
