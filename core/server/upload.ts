// POST /upload?name=<file>: a CSV streamed into this server's private upload folder; the page then
// imports it by the path it gets back (the only host path browser mode may import from). The
// upload succeeds only when every byte reached the disk: a write error (a full disk above all),
// the size limit, the quota or a body shorter than its Content-Length fail it with the envelope,
// and the partial file is deleted. The import is then promised the byte count and checks it.
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, join } from 'node:path';
import type { ErrorCode } from '../contract.js';
import type { RouteHandler } from './context.js';
import { fail, sendJson } from './http.js';
import type { UploadStore } from './upload-store.js';

/** Keeps a plain file name: no directories, no odd characters, bounded length. */
export function sanitizeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).normalize('NFC');
  const clean = base
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  const limited = clean.slice(-120);
  return limited || 'upload.csv';
}

interface Failure {
  status: number;
  code: ErrorCode;
  message: string;
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

function writeFailure(e: unknown, dir: string, size: number): Failure {
  const err = e as NodeJS.ErrnoException;
  if (err.code && DISK_FULL.has(err.code)) {
    return {
      status: 507,
      code: 'internal',
      message: `the upload folder's disk is full (${err.code}) after ${size} bytes; nothing was kept. Free space in ${dir} and upload again`,
    };
  }
  return {
    status: 500,
    code: 'internal',
    message: `the upload could not be written (${err.code ?? err.message}); nothing was kept`,
  };
}

/** Writes all of `chunk`: a short write is continued, a write that makes no progress is a full disk. */
async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

interface Received {
  size: number;
  /** Bytes held against the quota for this upload. */
  reserved: number;
  failure: Failure | null;
  /** The client went away before the body ended: there is nobody to answer. */
  aborted: boolean;
}

/**
 * Streams the body into `fh` until it ends. After a failure the rest of the body is read and
 * dropped, so the client gets the answer instead of a reset connection.
 */
function receive(req: IncomingMessage, fh: FileHandle, store: UploadStore, limit: number): Promise<Received> {
  return new Promise((settle) => {
    let size = 0;
    let reserved = 0;
    let failure: Failure | null = null;
    let writing: Promise<void> = Promise.resolve();
    let settled = false;
    const done = (aborted: boolean) => {
      if (settled) return;
      settled = true;
      void writing.then(() => settle({ size, reserved, failure, aborted }));
    };
    req.on('data', (chunk: Buffer) => {
      if (failure) return;
      size += chunk.length;
      if (size > limit) {
        failure = { status: 413, code: 'bad_input', message: `file is larger than the limit of ${limit} bytes` };
        return;
      }
      if (!store.reserve(chunk.length)) {
        failure = {
          status: 507,
          code: 'bad_input',
          message: `the upload quota of ${store.quota} bytes is used up (${store.used()} held); import or discard earlier uploads first`,
        };
        return;
      }
      reserved += chunk.length;
      req.pause();
      writing = writing
        .then(() => writeAll(fh, chunk))
        .catch((e: unknown) => {
          failure ??= writeFailure(e, store.dir, size);
        })
        .finally(() => req.resume());
    });
    req.on('end', () => done(false));
    req.on('close', () => done(!req.complete));
    req.on('error', () => done(true));
  });
}

/** The size on disk once everything is synced, or the failure that shows the file is not whole. */
async function finish(
  fh: FileHandle,
  path: string,
  got: Received,
  declared: number,
  dir: string,
): Promise<Failure | null> {
  if (got.failure) return got.failure;
  try {
    await fh.sync(); // delayed allocation reports a full disk here, not at write()
  } catch (e) {
    return writeFailure(e, dir, got.size);
  }
  if (Number.isFinite(declared) && declared !== got.size) {
    return {
      status: 400,
      code: 'bad_input',
      message: `the body had ${got.size} bytes; Content-Length promised ${declared}`,
    };
  }
  const onDisk = (await stat(path)).size;
  if (onDisk !== got.size)
    return {
      status: 507,
      code: 'internal',
      message: `${onDisk} of ${got.size} bytes reached the disk; nothing was kept`,
    };
  return null;
}

export const uploadRoute: RouteHandler = async (ctx, { req, res, url }) => {
  const { uploads: store } = ctx;
  const name = sanitizeFileName(url.searchParams.get('name') ?? 'upload.csv');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > ctx.uploadLimit) {
    return fail(res, 413, 'bad_input', `file is ${declared} bytes; the limit is ${ctx.uploadLimit}`, 'file');
  }
  if (Number.isFinite(declared) && store.used() + declared > store.quota) {
    return fail(
      res,
      507,
      'bad_input',
      `file is ${declared} bytes; the upload quota of ${store.quota} bytes has ${store.quota - store.used()} left`,
      'file',
    );
  }
  const dir = await store.newFolder();
  const path = join(dir, name);
  let failure: Failure | null;
  let got: Received = { size: 0, reserved: 0, failure: null, aborted: false };
  const fh = await open(path, 'wx', 0o600).catch((e: unknown) => e as Error);
  if (fh instanceof Error) {
    req.resume();
    failure = writeFailure(fh, store.dir, 0);
  } else {
    try {
      got = await receive(req, fh, store, ctx.uploadLimit);
      failure = got.aborted ? null : await finish(fh, path, got, declared, store.dir);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  if (failure || got.aborted) {
    store.release(got.reserved);
    await rm(dir, { recursive: true, force: true });
    if (failure && !got.aborted) fail(res, failure.status, failure.code, failure.message, 'file');
    return;
  }
  store.accept(path, got.size);
  sendJson(res, 200, { ok: true, value: { path, name, bytes: got.size } });
};
