import { describe, expect, it } from 'vitest';
import { devServerUrl } from '../../electron/app.js';

describe('WORKBENCH_DEV_URL', () => {
  it('is honoured only for an unpackaged app and only on loopback http(s)', () => {
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'http://localhost:5173/' })).toBe('http://localhost:5173/');
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'http://127.0.0.1:5173' })).toBe('http://127.0.0.1:5173/');
    expect(devServerUrl(true, { WORKBENCH_DEV_URL: 'http://localhost:5173/' })).toBeUndefined();
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'https://evil.example/' })).toBeUndefined();
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'http://localhost.evil.example/' })).toBeUndefined();
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'file:///etc/passwd' })).toBeUndefined();
    expect(devServerUrl(false, { WORKBENCH_DEV_URL: 'not a url' })).toBeUndefined();
    expect(devServerUrl(false, {})).toBeUndefined();
  });
});
