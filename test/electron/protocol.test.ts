import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appProtocolHandler, isAppUrl, resolveAppPath } from '../../electron/protocol.js';

const root = mkdtempSync(join(tmpdir(), 'wb-proto-'));
mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>wb</title>');
writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside the renderer folder');
const dir = join(root, 'renderer');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('maps app://bundle/ paths into the renderer folder only', () => {
    expect(resolveAppPath(APP_INDEX_URL, dir)).toBe(join(dir, 'index.html'));
    expect(resolveAppPath('app://bundle/', dir)).toBe(join(dir, 'index.html'));
    expect(resolveAppPath('app://bundle/assets/app.js?v=1#x', dir)).toBe(join(dir, 'assets', 'app.js'));
    for (const bad of [
      'app://bundle/../secret.txt',
      'app://bundle/%2e%2e/secret.txt',
      'app://bundle/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://bundle/..%5csecret.txt',
      'app://bundle/%00index.html',
      'app://bundle/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'https://bundle/index.html',
    ]) {
      const file = resolveAppPath(bad, dir);
      if (file !== null) expect(file.startsWith(dir + '/'), `${bad} → ${file}`).toBe(true);
    }
    // The URL parser folds a dot segment into the path root; encoded slashes are caught after decoding.
    expect(resolveAppPath('app://bundle/%2e%2e/secret.txt', dir)).toBe(join(dir, 'secret.txt'));
    expect(resolveAppPath('app://bundle/assets/%2e%2e%2f%2e%2e%2fsecret.txt', dir)).toBeNull();
    expect(resolveAppPath('app://bundle/%00index.html', dir)).toBeNull();
    expect(resolveAppPath('app://other/index.html', dir)).toBeNull();
  });

  it('serves files with their type and the CSP header, 404 otherwise', async () => {
    const handler = appProtocolHandler(dir, "default-src 'none'");
    const ok = await handler(new Request(APP_INDEX_URL));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(await ok.text()).toContain('<title>wb</title>');
    const js = await handler(new Request('app://bundle/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await handler(new Request('app://bundle/missing.js'))).status).toBe(404);
    expect((await handler(new Request('app://bundle/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handler(new Request('app://bundle/assets/%2e%2e%2f%2e%2e%2fsecret.txt'))).status).toBe(404);
  });

  it('recognises the app origin and, in development only, the dev server', () => {
    expect(isAppUrl('app://bundle/index.html')).toBe(true);
    expect(isAppUrl('app://bundle.evil/index.html')).toBe(false);
    expect(isAppUrl('https://evil.example/')).toBe(false);
    expect(isAppUrl('http://localhost:5173/')).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/runs', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('garbage')).toBe(false);
  });
});
