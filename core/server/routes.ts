// The browser-mode server's routes as a table: path, methods, how the request may be authorised,
// handler. One dispatcher applies the guards in the same order for every route: Host/Origin, token
// (or, for the page's own files, its cookie), method, then the handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toApiError } from '../errors.js';
import { apiRoute } from './api-route.js';
import type { RouteHandler, ServerContext } from './context.js';
import { bundleRoute, exportRoute, staticRoute } from './files.js';
import { cookieToken, fail, sameToken, sendError } from './http.js';
import { uploadRoute } from './upload.js';

export const TOKEN_HEADER = 'x-workbench-token';

export interface Route {
  /** An exact path, or a prefix when it ends in `/` (the remainder is the handler's `rest`). */
  path: string;
  /** Allowed methods; every other method is answered 405. */
  methods: readonly string[];
  /**
   * The page's own files are authorised by the HttpOnly cookie set when it was opened with the
   * token, as a navigation (a new tab, a bookmark) carries nothing else.
   */
  cookie?: boolean;
  handle: RouteHandler;
}

const notFound: RouteHandler = async (_ctx, { res }) => fail(res, 404, 'not_found', 'not found');

/** First match wins; the last route (the renderer's files) matches every path. */
export const ROUTES: readonly Route[] = [
  { path: '/api/', methods: ['POST'], handle: apiRoute },
  { path: '/upload', methods: ['POST'], handle: uploadRoute },
  { path: '/download/export', methods: ['GET'], handle: exportRoute },
  { path: '/download/bundle', methods: ['GET'], handle: bundleRoute },
  { path: '/download/', methods: ['GET', 'HEAD', 'POST'], handle: notFound },
  { path: '/', methods: ['GET', 'HEAD'], cookie: true, handle: staticRoute },
];

function match(pathname: string): { route: Route; rest: string } {
  for (const route of ROUTES) {
    if (route.path.endsWith('/') ? pathname.startsWith(route.path) : pathname === route.path) {
      return { route, rest: route.path.endsWith('/') ? pathname.slice(route.path.length) : '' };
    }
  }
  return { route: ROUTES[ROUTES.length - 1]!, rest: pathname };
}

/** Host and Origin checks shared by HTTP and the WebSocket upgrade; returns a reason or null. */
export function refuseOrigin(req: IncomingMessage, port: number): string | null {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (!req.headers.host || !hosts.has(req.headers.host)) return `unexpected Host header "${req.headers.host ?? ''}"`;
  const origin = req.headers.origin;
  if (origin !== undefined && !new Set([...hosts].map((h) => `http://${h}`)).has(origin))
    return `requests from origin "${origin}" are not allowed`;
  return null;
}

export const UNAUTHORISED = 'missing or wrong token: open the URL that `rnn-workbench serve` printed';

/**
 * The HttpOnly SameSite=Strict cookie (set when the page was opened with the token) authorises the
 * page's files, and, for requests the page itself makes (same origin: an Origin header that
 * refuseOrigin found to be ours, or Sec-Fetch-Site: same-origin), the API, uploads, downloads and
 * the events socket too, so a second tab or a bookmark works without `?token=` (issue 14 bug 6).
 * A request from another site carries neither the cookie (SameSite) nor our origin.
 */
export function cookieAuthorises(ctx: ServerContext, req: IncomingMessage, route: { cookie?: boolean }): boolean {
  if (!sameToken(cookieToken(req, ctx.cookieName()), ctx.token)) return false;
  return route.cookie === true || req.headers.origin !== undefined || req.headers['sec-fetch-site'] === 'same-origin';
}

const wantsHtml = (req: IncomingMessage): boolean =>
  req.method === 'GET' && /text\/html/.test(String(req.headers.accept ?? ''));

/** What a tab opened without the token (and without the cookie) shows: one clear page, nothing that retries. */
function sendOpenUrlPage(res: ServerResponse): void {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recurrent Workbench</title></head>' +
    '<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;line-height:1.5">' +
    '<h1>Open the URL printed by <code>rnn-workbench serve</code></h1>' +
    '<p>This server only answers the link it printed when it started (it holds a one-time token). ' +
    'Open that link once; after that, other tabs and bookmarks of this server work too.</p></body></html>';
  res.writeHead(401, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

/** The token a request carries: the header, else the `token` query parameter. */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers[TOKEN_HEADER];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('token');
}

async function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const refused = refuseOrigin(req, ctx.port());
  if (refused) return fail(res, 403, 'forbidden', refused);
  const { route, rest } = match(url.pathname);
  const tokenOk = sameToken(requestToken(req, url), ctx.token);
  if (!tokenOk && !cookieAuthorises(ctx, req, route)) {
    if (route.cookie && wantsHtml(req)) return sendOpenUrlPage(res);
    return fail(res, 401, 'forbidden', UNAUTHORISED);
  }
  if (!route.methods.includes(req.method ?? '')) {
    return fail(
      res,
      405,
      'invalid_args',
      `use ${route.methods.join(' or ')} for ${route.path}${route.path === '/api/' ? '<method>' : ''}`,
    );
  }
  return route.handle(ctx, { req, res, url, rest, byQueryToken: tokenOk && url.searchParams.has('token') });
}

/** The `request` listener for node:http: dispatches, and answers anything thrown as the envelope. */
export function requestListener(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(ctx, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, toApiError(err));
      else res.destroy();
    });
  };
}
