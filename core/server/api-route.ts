// POST /api/<method>: the contract over HTTP. Arguments are validated with the contract's schemas
// (the RunSpec of runs.create/estimate included) before the service sees them; in browser mode
// the page cannot name host paths.
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMethodName, parseArgs, type MethodName, type Result } from '../contract.js';
import { toApiError } from '../errors.js';
import { isInside } from '../static.js';
import type { RouteHandler, ServerContext } from './context.js';
import { fail, readBody, sendJson, statusOf } from './http.js';
import { UPLOAD_ROOT } from './upload.js';

const API_BODY_LIMIT = 16 * 1024 * 1024;

/** Why browser mode refuses a validated call, or null: imports only from uploads, exports only as downloads. */
function hostPathRefusal(method: MethodName, args: unknown): { message: string; field: string } | null {
  if (method === 'datasets.import' && !isInside(resolve((args as { path: string }).path), UPLOAD_ROOT)) {
    return { message: 'in browser mode a dataset is imported from an uploaded file (POST /upload)', field: 'path' };
  }
  if (method === 'runs.export') return { message: 'in browser mode a model is exported with GET /download/export', field: 'outDir' };
  return null;
}

/** The uploaded copy has served its purpose whatever the outcome: the data now lives in SQLite. */
async function dropUpload(ctx: ServerContext, path: string): Promise<void> {
  const dir = dirname(resolve(path));
  if (!ctx.uploads.has(dir)) return;
  ctx.uploads.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

export const apiRoute: RouteHandler = async (ctx, { req, res, rest: method }) => {
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
  const refusal = ctx.allowHostPaths ? null : hostPathRefusal(method, parsed.value);
  if (refusal) return fail(res, 403, 'forbidden', refusal.message, refusal.field);
  let result: Result<unknown>;
  try {
    result = (await ctx.service.call(method, parsed.value as never)) as Result<unknown>;
  } catch (err) {
    result = { ok: false, error: toApiError(err) };
  }
  if (method === 'datasets.import') await dropUpload(ctx, (parsed.value as { path: string }).path);
  sendJson(res, result.ok ? 200 : statusOf(result.error.code), result);
};
