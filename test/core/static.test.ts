// core/static.ts: the one description of how the renderer is served, used by browser mode
// (core/server.ts) and the desktop app's app:// protocol (electron/protocol.ts).
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { etagMatches, StaticFiles } from '../../core/static-files.js';
import {
  cacheControlFor,
  contentSecurityPolicy,
  IMMUTABLE,
  isCompressible,
  isHashedAsset,
  isInside,
  mimeType,
  negotiateEncoding,
  resolveStaticPath,
  staticHeaders,
} from '../../core/static.js';
import { contentSecurityPolicy as desktopCsp } from '../../electron/security.js';

const root = resolve('/srv/renderer');

describe('core/static', () => {
  it('maps URL paths into the root only', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveStaticPath(root, '/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBeNull();
    expect(resolveStaticPath(root, '/%00index.html')).toBeNull();
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull();
    expect(isInside(join(root, 'a'), root)).toBe(true);
    expect(isInside(root, root)).toBe(false);
    expect(isInside(resolve(root, '..', 'renderer-other'), root)).toBe(false);
  });

  it('knows the types the renderer build contains', () => {
    expect(mimeType('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeType('app.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('kernel.wasm')).toBe('application/wasm');
    expect(mimeType('blob.bin')).toBe('application/octet-stream');
    expect(staticHeaders('a.css', 'x')).toMatchObject({
      'content-type': 'text/css; charset=utf-8',
      'content-security-policy': 'x',
      'x-content-type-options': 'nosniff',
    });
  });

  it('gives both hosts one CSP: the desktop policy is the browser-mode one without its WebSocket', () => {
    const browser = contentSecurityPolicy({ connect: ['ws://127.0.0.1:8080'] });
    expect(browser).toContain("connect-src 'self' ws://127.0.0.1:8080");
    expect(browser.replace(' ws://127.0.0.1:8080', '')).toBe(desktopCsp());
    expect(desktopCsp()).toBe(contentSecurityPolicy());
  });
});

describe('static delivery: cache headers, compression, ETags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-static-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const js = 'export const answer = 42;\n'.repeat(400); // 10 KB, compresses well
  const put = (name: string, body: string | Buffer) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const info = (file: string) => statSync(file);

  it('caches hashed assets for a year as immutable and revalidates everything else', () => {
    expect(isHashedAsset('/assets/index-D72YAdMC.js')).toBe(true);
    expect(isHashedAsset('/assets/Runs-0s0PYwEC.css')).toBe(true);
    expect(isHashedAsset('/index.html')).toBe(false);
    expect(isHashedAsset('/assets/logo.svg')).toBe(false);
    expect(cacheControlFor('/assets/echarts-DR-RSK4z.js')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('/')).toBe('no-cache');
    expect(cacheControlFor('/index.html')).toBe('no-cache');
  });

  it('negotiates brotli over gzip, honours q-values and q=0, and knows what is worth compressing', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip, deflate')).toBe('gzip');
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.9')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip;q=0')).toBeNull();
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
    expect(isCompressible('a.js', 5000)).toBe(true);
    expect(isCompressible('a.js', 500)).toBe(false);
    expect(isCompressible('a.png', 5000)).toBe(false);
    expect(isCompressible('a.wasm', 5000)).toBe(true);
  });

  it('sends a hashed asset compressed on the fly, cached, with an ETag per encoding and 304 on a match', async () => {
    const files = new StaticFiles();
    const file = put('app-AbCdEf12.js', js);
    const url = '/assets/app-AbCdEf12.js';
    const br = await files.reply(file, url, info(file), { acceptEncoding: 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.headers).toMatchObject({ 'cache-control': IMMUTABLE, 'content-encoding': 'br', vary: 'Accept-Encoding' });
    expect(brotliDecompressSync(br.body!).toString()).toBe(js);
    expect(br.body!.length).toBeLessThan(js.length / 10);
    expect(br.headers['content-length']).toBe(br.body!.length);
    const gz = await files.reply(file, url, info(file), { acceptEncoding: 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body!).toString()).toBe(js);
    expect(gz.headers['etag']).not.toBe(br.headers['etag']);
    const plain = await files.reply(file, url, info(file), {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body!.toString()).toBe(js);
    const again = await files.reply(file, url, info(file), {
      acceptEncoding: 'br',
      ifNoneMatch: String(br.headers['etag']),
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(again.headers['etag']).toBe(br.headers['etag']);
    expect(etagMatches(`W/${String(br.headers['etag'])}, "other"`, String(br.headers['etag']))).toBe(true);
    expect(etagMatches('"other"', String(br.headers['etag']))).toBe(false);
  });

  it("prefers the build's precompressed sibling, ignores a stale one, and re-reads a changed file", async () => {
    const files = new StaticFiles();
    const file = put('index.html', '<!doctype html>' + '<p>hello</p>'.repeat(200));
    put('index.html.br', Buffer.from('precompressed-marker'));
    const r = await files.reply(file, '/', info(file), { acceptEncoding: 'br' });
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body!.toString()).toBe('precompressed-marker');
    // The page changes after the sibling was written: the sibling is stale, compress anew.
    const changed = '<!doctype html>' + '<p>changed</p>'.repeat(200);
    put('index.html', changed);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const r2 = await files.reply(file, '/', info(file), {
      acceptEncoding: 'br',
      ifNoneMatch: String(r.headers['etag']),
    });
    expect(r2.status).toBe(200);
    expect(brotliDecompressSync(r2.body!).toString()).toBe(changed);
    // Small files go as they are.
    const tiny = put('tiny-AbCdEf12.css', 'a{}');
    const t = await files.reply(tiny, '/assets/tiny-AbCdEf12.css', info(tiny), { acceptEncoding: 'br' });
    expect(t.headers['content-encoding']).toBeUndefined();
    expect(t.headers['vary']).toBeUndefined();
  });
});
