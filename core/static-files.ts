// The browser-mode server's static files: read once and kept in memory with an ETag, sent
// compressed (brotli or gzip, by Accept-Encoding) from the build's precompressed `.br`/`.gz`
// siblings when present, else compressed once on first request and cached. Answers 304 to a
// matching If-None-Match. Headers only: the route adds CSP and friends (core/server/files.ts).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { cacheControlFor, isCompressible, negotiateEncoding, type Encoding } from './static.js';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

export interface StaticReply {
  status: 200 | 304;
  headers: Record<string, string | number>;
  /** Null for a 304. */
  body: Buffer | null;
}

interface Entry {
  mtimeMs: number;
  size: number;
  hash: string;
  body: Buffer;
  variants: Map<Encoding, Promise<Buffer>>;
}

/** True when an If-None-Match header names `etag` (weak comparison, as for GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

export class StaticFiles {
  readonly #cache = new Map<string, Entry>();

  async #entry(file: string, info: { mtimeMs: number; size: number }): Promise<Entry> {
    const cached = this.#cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(file);
    const entry: Entry = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      hash: createHash('sha256').update(body).digest('base64url').slice(0, 22),
      body,
      variants: new Map(),
    };
    this.#cache.set(file, entry);
    return entry;
  }

  /** A precompressed sibling no older than the file, else the body compressed here (once). */
  #variant(file: string, entry: Entry, enc: Encoding): Promise<Buffer> {
    let v = entry.variants.get(enc);
    if (!v) {
      v = (async () => {
        const sibling = file + SUFFIX[enc];
        const s = await stat(sibling).catch(() => null);
        if (s?.isFile() && s.mtimeMs >= entry.mtimeMs) return readFile(sibling);
        return enc === 'br'
          ? brotli(entry.body, {
              params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: entry.size },
            })
          : gz(entry.body, { level: 9 });
      })();
      v.catch(() => entry.variants.delete(enc)); // a failed read is retried next time
      entry.variants.set(enc, v);
    }
    return v;
  }

  /**
   * The reply for `file` (already resolved under the root and known to be a file) as named by
   * `urlPath`: cache headers by path, ETag per encoding, the body in the negotiated encoding.
   */
  async reply(
    file: string,
    urlPath: string,
    info: { mtimeMs: number; size: number },
    request: { acceptEncoding?: string; ifNoneMatch?: string },
  ): Promise<StaticReply> {
    const entry = await this.#entry(file, info);
    const compressible = isCompressible(file, entry.size);
    const enc = compressible ? negotiateEncoding(request.acceptEncoding) : null;
    const etag = `"${entry.hash}${enc ? `-${enc}` : ''}"`;
    const headers: Record<string, string | number> = { 'cache-control': cacheControlFor(urlPath), etag };
    if (compressible) headers['vary'] = 'Accept-Encoding';
    if (etagMatches(request.ifNoneMatch, etag)) return { status: 304, headers, body: null };
    const body = enc ? await this.#variant(file, entry, enc) : entry.body;
    if (enc) headers['content-encoding'] = enc;
    headers['content-length'] = body.length;
    return { status: 200, headers, body };
  }
}
