// core/static.ts: the one description of how the renderer is served, used by browser mode
// (core/server.ts) and the desktop app's app:// protocol (electron/protocol.ts).
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isInside, mimeType, resolveStaticPath, staticHeaders } from '../../core/static.js';
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
