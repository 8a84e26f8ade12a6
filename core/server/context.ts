// What every route handler of the browser-mode server gets: the launch's settings and state, and
// the one request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api } from '../api.js';
import type { UploadStore } from './upload-store.js';

export interface ServerContext {
  service: Api;
  /** The built renderer. */
  staticDir: string;
  uploadLimit: number;
  allowHostPaths: boolean;
  token: string;
  /** The bound port (known once listening). */
  port(): number;
  /** Name of the cookie that carries the token for the page's assets. */
  cookieName(): string;
  /** This launch's private upload folder and the files received into it. */
  uploads: UploadStore;
}

export interface RequestInfo {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The part of the path after a prefix route's path (`datasets.list` for `/api/datasets.list`). */
  rest: string;
  /** Authorised by the `token` query parameter (the URL that `serve` printed): set the cookie. */
  byQueryToken: boolean;
}

export type RouteHandler = (ctx: ServerContext, r: RequestInfo) => Promise<void>;
