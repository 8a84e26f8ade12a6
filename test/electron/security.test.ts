import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  denyPermissions,
  enforceCsp,
  hardenWebContents,
  isExternalLink,
  windowOptions,
} from '../../electron/security.js';
import { FakeWebContents, createFakeElectron } from './fake-electron.js';

describe('window options', () => {
  it('turns on isolation, the sandbox and web security, and off Node in every renderer', () => {
    const o = windowOptions('/app/dist/electron/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(o.show).toBe(false);
  });
});

describe('navigation and new windows', () => {
  it('prevents navigation, redirects and webviews', () => {
    const wc = new FakeWebContents();
    hardenWebContents(wc as never, () => {});
    expect(wc.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.fire('will-navigate', 'app://bundle/index.html')).toBe(true);
    expect(wc.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.fire('will-attach-webview', {}, {})).toBe(true);
  });

  it('denies window.open; only https links go to the system browser', () => {
    const wc = new FakeWebContents();
    const opened: string[] = [];
    hardenWebContents(wc as never, (u) => opened.push(u));
    for (const url of [
      'https://www.tensorflow.org/js',
      'http://plain.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'app://bundle/x',
      'not a url',
    ]) {
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://www.tensorflow.org/js']);
    expect(isExternalLink('smb://host/share')).toBe(false);
  });
});

describe('permissions and CSP', () => {
  it('denies every permission request and check', () => {
    const { electron } = createFakeElectron({ userData: '/tmp' });
    const s = electron.session.defaultSession;
    denyPermissions(s as never);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let answer: boolean | undefined;
      s.permissionRequestHandler!({}, p, (ok) => (answer = ok));
      expect(answer, p).toBe(false);
      expect(s.permissionCheckHandler!({}, p)).toBe(false);
    }
  });

  it('allows scripts only from the app itself, no eval, no plugins, no framing', () => {
    const csp = contentSecurityPolicy();
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // The dev server's websocket (hot reload) is allowed only in the dev policy.
    expect(contentSecurityPolicy('http://localhost:5173')).toContain('ws://localhost:5173');
    expect(csp).not.toContain('localhost');
  });

  it('replaces any CSP header a response brings with its own', () => {
    const { electron } = createFakeElectron({ userData: '/tmp' });
    const s = electron.session.defaultSession;
    enforceCsp(s as never, "default-src 'none'");
    let out: any;
    s.headersHandler!({ responseHeaders: { 'content-security-policy': ['*'], 'X-Other': ['1'] } }, (r) => (out = r));
    expect(out.responseHeaders).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': ["default-src 'none'"] });
  });
});
