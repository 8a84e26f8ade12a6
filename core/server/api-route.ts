// POST /api/<method>: the contract over HTTP. Arguments are validated with the contract's schemas
// (the RunSpec of runs.create/estimate included) before the service sees them; in browser mode
// the page cannot name host paths: it names files it uploaded (an import, a CSV to forecast).
import { isMethodName, parseArgs, type MethodName, type Result } from '../contract.js';
import { toApiError } from '../errors.js';
import type { RouteHandler, ServerContext } from './context.js';
import { fail, readBody, sendJson, statusOf } from './http.js';

const API_BODY_LIMIT = 16 * 1024 * 1024;

type Refusal = { message: string; field: string };

/**
 * Browser mode imports only files this server received through /upload (their real path, with the
 * byte count the upload promised) and exports only as downloads. Returns the arguments to call
 * with, or why the call is refused.
 */
async function browserArgs(
  ctx: ServerContext,
  method: MethodName,
  args: unknown,
): Promise<{ args: unknown } | Refusal> {
  if (method === 'runs.export')
    return { message: 'in browser mode a model is exported with GET /download/export', field: 'outDir' };
  if (method === 'runs.bundle')
    return { message: 'in browser mode runs are bundled with GET /download/bundle', field: 'outPath' };
  const csvPath = method === 'runs.predict' ? (args as { csvPath?: string }).csvPath : undefined;
  if (csvPath !== undefined) {
    // A new CSV to forecast: only one this server received through /upload, like an import.
    const check = await ctx.uploads.forImport(csvPath);
    return check.ok
      ? { args: { ...(args as object), csvPath: check.path } }
      : { message: check.message, field: 'csvPath' };
  }
  if (method !== 'datasets.import' && method !== 'runs.importBundle') return { args };
  const check = await ctx.uploads.forImport((args as { path: string }).path);
  if (!check.ok) return { message: check.message, field: 'path' };
  return { args: { ...(args as object), path: check.path, expectedBytes: check.bytes } };
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
  let callArgs: unknown = parsed.value;
  if (!ctx.allowHostPaths) {
    const checked = await browserArgs(ctx, method, parsed.value);
    if (!('args' in checked)) return fail(res, 403, 'forbidden', checked.message, checked.field);
    callArgs = checked.args;
  }
  let result: Result<unknown>;
  try {
    result = (await ctx.service.call(method, callArgs as never)) as Result<unknown>;
  } catch (err) {
    result = { ok: false, error: toApiError(err) };
  }
  // The uploaded copy has served its purpose whatever the outcome: the data now lives in SQLite
  // (or, for a CSV to forecast, the forecasts went back with the answer).
  if (method === 'datasets.import' || method === 'runs.importBundle')
    await ctx.uploads.drop((callArgs as { path: string }).path);
  const uploadedCsv = method === 'runs.predict' ? (callArgs as { csvPath?: string }).csvPath : undefined;
  if (uploadedCsv !== undefined && !ctx.allowHostPaths) await ctx.uploads.drop(uploadedCsv);
  sendJson(res, result.ok ? 200 : statusOf(result.error.code), result);
};
