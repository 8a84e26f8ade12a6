// Small HTTP helpers for the browser-mode server: JSON replies in the contract's envelope, the
// status for each error code, bounded request bodies, the token and cookie checks.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError, ErrorCode } from '../contract.js';

const STATUS_OF: Record<ErrorCode, number> = {
  invalid_args: 400,
  bad_input: 422,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  internal: 500,
};

export const statusOf = (code: ErrorCode): number => STATUS_OF[code] ?? 500;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Replies `{ ok: false, error }` with the error's status (or the one given). */
export function sendError(res: ServerResponse, error: ApiError, status = statusOf(error.code)): void {
  sendJson(res, status, { ok: false, error });
}

export function fail(res: ServerResponse, status: number, code: ErrorCode, message: string, field?: string): void {
  sendError(res, { code, message, ...(field ? { field } : {}) }, status);
}

/**
 * The whole body, or a rejection with `status: 413` once it passes `limit` bytes. The rest of an
 * oversized body is read and dropped rather than the socket destroyed, so the client gets the
 * 413 envelope instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function cookieToken(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

/** Constant-time token comparison. */
export function sameToken(a: string | undefined | null, token: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}
