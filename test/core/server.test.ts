// The browser-mode server against a small in-file Api: this file tests the transport and its
// guards (token, Host/Origin, schema validation, uploads, export zip, events), not the service;
// test/e2e/browser.test.ts drives the real service through it.
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Api } from '../../core/api.js';
import type { EventMap, EventName, Result } from '../../core/contract.js';
import { sanitizeFileName, startServer, type RunningServer } from '../../core/server.js';
import { unzipSync } from 'fflate';

type Listener = (payload: unknown) => void;

/** Records calls and answers a few methods the way the real service would shape them. */
class FakeApi implements Api {
  calls: { method: string; args: unknown }[] = [];
  listeners = new Map<string, Set<Listener>>();
  async call(method: string, args: unknown): Promise<Result<never>> {
    this.calls.push({ method, args });
    if (method === 'system.info')
      return { ok: true, value: { version: 't', dbPath: ':memory:', host: 'fake' } as never };
    if (method === 'datasets.get')
      return { ok: false, error: { code: 'not_found', message: 'no dataset 7', field: 'id' } };
    if (method === 'datasets.import') {
      const text = readFileSync((args as { path: string }).path, 'utf8');
      return { ok: true, value: { rows: text.trim().split('\n').length - 1 } as never };
    }
    if (method === 'runs.export') {
      const { outDir } = args as { outDir: string };
      writeFileSync(join(outDir, 'model.json'), '{"format":"layers-model"}');
      writeFileSync(join(outDir, 'weights.bin'), Buffer.from([1, 2, 3, 250]));
      writeFileSync(join(outDir, 'preprocessing.json'), '{"lookback":4}');
      return {
        ok: true,
        value: {
          dir: outDir,
          files: ['model.json', 'weights.bin', 'preprocessing.json'],
          checkpoint: 'best',
          epoch: 3,
        } as never,
      };
    }
    if (method === 'runs.get') throw new Error('boom');
    return { ok: true, value: null as never };
  }
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }
  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json(): { ok: boolean; value?: any; error?: any };
}

function send(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('startServer', () => {
  const api = new FakeApi();
  let server: RunningServer;
  let staticDir: string;
  const post = (method: string, args: unknown, headers: Record<string, string> = {}) =>
    send(server.port, `/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-workbench-token': server.token, ...headers },
      body: JSON.stringify(args),
    });

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'wb-static-'));
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>wb</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dirname(staticDir), 'wb-secret.txt'), 'secret');
    server = await startServer({ service: api, port: 0, staticDir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with a long random token in the URL', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[\\w-]{32}$`));
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a valid call with the envelope', async () => {
    const r = await post('system.info', {});
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true, value: { version: 't', dbPath: ':memory:', host: 'fake' } });
  });

  it('accepts the token as a query parameter too', async () => {
    const r = await send(server.port, `/api/system.info?token=${server.token}`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
  });

  it('refuses requests without the token or with a wrong one (401)', async () => {
    const none = await send(server.port, '/api/system.info', { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(none.json().error.message).toMatch(/token/);
    const wrong = await post('system.info', {}, { 'x-workbench-token': 'x'.repeat(32) });
    expect(wrong.status).toBe(401);
    const page = await send(server.port, '/');
    expect(page.status).toBe(401);
  });

  it('refuses another origin (403) and a foreign Host header (403)', async () => {
    const cross = await post('system.info', {}, { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.json().error.code).toBe('forbidden');
    const own = await post('system.info', {}, { origin: `http://127.0.0.1:${server.port}` });
    expect(own.status).toBe(200);
    const rebinding = await post('system.info', {}, { host: `evil.example:${server.port}` });
    expect(rebinding.status).toBe(403);
  });

  it('validates arguments with the contract before the service sees them (400)', async () => {
    const before = api.calls.length;
    const r = await post('datasets.rows', { id: 1, offset: -1, limit: 10 });
    expect(r.status).toBe(400);
    const body = r.json();
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('invalid_args');
    expect(body.error.field).toBe('offset');
    const extra = await post('system.info', { surprise: 1 });
    expect(extra.status).toBe(400);
    const notJson = await send(server.port, '/api/system.info', {
      method: 'POST',
      headers: { 'x-workbench-token': server.token },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(api.calls.length).toBe(before);
  });

  it('validates a run spec at the boundary: a bad one never reaches the service, a good one arrives with defaults', async () => {
    const before = api.calls.length;
    const bad = await post('runs.create', { datasetId: 1, spec: { target: 'price', model: { cell: 'transformer' } } });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_args', field: 'spec.model.cell' });
    const noTarget = await post('runs.estimate', { datasetId: 1, spec: { window: { lookback: 12 } } });
    expect(noTarget.status).toBe(400);
    expect(noTarget.json().error.field).toBe('spec.target');
    expect(api.calls.length).toBe(before);
    const good = await post('runs.estimate', { datasetId: 1, spec: { target: 'price' } });
    expect(good.status).toBe(200);
    const { spec } = api.calls.at(-1)!.args as { spec: { target: string[]; window: { lookback: number | 'auto' } } };
    expect(spec.target).toEqual(['price']);
    expect(spec.window.lookback).toBe('auto'); // the schema's default, resolved by the worker
  });

  it('answers a method a route does not take with 405 naming what it takes', async () => {
    const get = await send(server.port, '/api/system.info', { headers: { 'x-workbench-token': server.token } });
    expect(get.status).toBe(405);
    expect(get.json().error.message).toBe('use POST for /api/<method>');
    const put = await send(server.port, '/download/export?run=1', {
      method: 'PUT',
      headers: { 'x-workbench-token': server.token },
    });
    expect(put.status).toBe(405);
    const postPage = await send(server.port, '/index.html', {
      method: 'POST',
      headers: { 'x-workbench-token': server.token },
    });
    expect(postPage.status).toBe(405);
  });

  it('maps service errors to statuses and keeps the envelope', async () => {
    const nf = await post('datasets.get', { id: 7 });
    expect(nf.status).toBe(404);
    expect(nf.json()).toEqual({ ok: false, error: { code: 'not_found', message: 'no dataset 7', field: 'id' } });
    const thrown = await post('runs.get', { id: 1 });
    expect(thrown.status).toBe(500);
    expect(thrown.json().error).toEqual({ code: 'internal', message: 'boom' });
    const unknown = await post('nope.nothing', {});
    expect(unknown.status).toBe(404);
  });

  it('takes an upload, imports it by path and removes the uploaded copy', async () => {
    const csv = 'date,value\n2020-01-01,1\n2020-01-02,2\n';
    const up = await send(server.port, `/upload?name=${encodeURIComponent('../../my data;rm.csv')}`, {
      method: 'POST',
      headers: { 'x-workbench-token': server.token, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(up.status).toBe(200);
    const { path, name, bytes } = up.json().value;
    expect(name).toBe('my data_rm.csv');
    expect(bytes).toBe(Buffer.byteLength(csv));
    expect(path).toContain(join(tmpdir(), 'rnn-workbench-uploads'));
    expect(readFileSync(path, 'utf8')).toBe(csv);
    const imp = await post('datasets.import', { path });
    expect(imp.json()).toEqual({ ok: true, value: { rows: 2 } });
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to import a host path that was not uploaded', async () => {
    const r = await post('datasets.import', { path: '/etc/passwd' });
    expect(r.status).toBe(403);
    expect(r.json().error.field).toBe('path');
    const escape = await post('datasets.import', { path: join(tmpdir(), 'rnn-workbench-uploads', '..', 'x.csv') });
    expect(escape.status).toBe(403);
    const exp = await post('runs.export', { id: 1, outDir: '/tmp/anywhere' });
    expect(exp.status).toBe(403);
  });

  it('refuses an upload over the size limit (413)', async () => {
    const small = await startServer({ service: api, staticDir, uploadLimitBytes: 10 });
    try {
      const r = await send(small.port, '/upload?name=a.csv', {
        method: 'POST',
        headers: { 'x-workbench-token': small.token },
        body: 'a,b\n'.repeat(10),
      });
      expect(r.status).toBe(413);
      expect(r.json().error.field).toBe('file');
    } finally {
      await small.close();
    }
  });

  it('exports a model into a private dir and streams it back as a zip', async () => {
    const r = await send(server.port, `/download/export?run=3&checkpoint=best&token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/zip');
    expect(r.headers['content-disposition']).toContain('run-3-best-model.zip');
    const files = unzipSync(r.body);
    expect(Object.keys(files)).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);
    expect([...files['weights.bin']!]).toEqual([1, 2, 3, 250]);
    const call = api.calls.findLast((c) => c.method === 'runs.export')!;
    const outDir = (call.args as { outDir: string }).outDir;
    expect(existsSync(outDir)).toBe(false);
    const bad = await send(server.port, `/download/export?run=abc&token=${server.token}`);
    expect(bad.status).toBe(400);
  });

  it('passes the export format through: format=onnx reaches runs.export and names the zip; an unknown one is refused', async () => {
    const r = await send(server.port, `/download/export?run=3&checkpoint=best&format=onnx&token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toContain('run-3-best-onnx.zip');
    expect(api.calls.findLast((c) => c.method === 'runs.export')!.args).toMatchObject({ format: 'onnx' });
    const plain = await send(server.port, `/download/export?run=3&token=${server.token}`);
    expect(plain.status).toBe(200);
    expect(api.calls.findLast((c) => c.method === 'runs.export')!.args).toMatchObject({ format: 'tfjs' });
    const bad = await send(server.port, `/download/export?run=3&format=pt&token=${server.token}`);
    expect(bad.status).toBe(400);
    expect(bad.json().error.field).toBe('format');
  });

  it('serves the page with a strict CSP, sets a cookie for its assets, and stays inside staticDir', async () => {
    const page = await send(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('<title>wb</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await send(server.port, '/assets/app.js', { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    const noCookie = await send(server.port, '/assets/app.js');
    expect(noCookie.status).toBe(401);
    // The cookie authorises the API only for the page's own requests (our Origin, or
    // Sec-Fetch-Site: same-origin); a bare request with the cookie is refused, another origin is 403.
    const jar = cookie.split(';')[0]!;
    const bare = await send(server.port, '/api/system.info', { method: 'POST', body: '{}', headers: { cookie: jar } });
    expect(bare.status).toBe(401);
    const fromPage = await send(server.port, '/api/system.info', {
      method: 'POST',
      body: '{}',
      headers: { cookie: jar, origin: `http://127.0.0.1:${server.port}` },
    });
    expect(fromPage.status).toBe(200);
    const sameOriginGet = await send(server.port, `/download/export?run=3&checkpoint=best`, {
      headers: { cookie: jar, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOriginGet.status).toBe(200);
    const crossSite = await send(server.port, '/api/system.info', {
      method: 'POST',
      body: '{}',
      headers: { cookie: jar, origin: 'http://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const traversal = await send(server.port, `/..%2fwb-secret.txt?token=${server.token}`);
    expect(traversal.status).toBe(404);
  });

  it('a tab opened without the token: one clear page, not a JSON error (issue 14 bug 6)', async () => {
    const page = await send(server.port, '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body.toString()).toContain('Open the URL printed by <code>rnn-workbench serve</code>');
    const wrongCookie = await send(server.port, '/', {
      headers: { accept: 'text/html', cookie: `wb_token_${server.port}=${'x'.repeat(32)}` },
    });
    expect(wrongCookie.status).toBe(401);
  });

  it('the events socket accepts the page cookie too (a second tab, a bookmark)', async () => {
    const page = await send(server.port, `/?token=${server.token}`);
    const jar = String(page.headers['set-cookie']).split(';')[0]!;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
      headers: { cookie: jar },
      origin: `http://127.0.0.1:${server.port}`,
    });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.close();
    const refused = await new Promise<number>((resolve) => {
      const bad = new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
        headers: { cookie: `wb_token_${server.port}=${'x'.repeat(32)}` },
        origin: `http://127.0.0.1:${server.port}`,
      });
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('error', () => undefined);
    });
    expect(refused).toBe(401);
  });

  it('pushes every event over the WebSocket and refuses sockets without the token', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
    const foreign = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${server.token}`, {
        origin: 'http://evil.example',
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(foreign).toBe(403);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const got: unknown[] = [];
    const two = new Promise<void>((resolve) =>
      ws.on('message', (m) => {
        got.push(JSON.parse(String(m)));
        if (got.length === 2) resolve();
      }),
    );
    api.emit('run:progress', {
      runId: 1,
      epoch: 1,
      epochs: 2,
      batch: 3,
      batches: 4,
      loss: 0.5,
      samplesPerSec: 100,
      etaSeconds: 2,
    });
    api.emit('datasets:changed', { id: 9 });
    await two;
    expect(got).toEqual([
      {
        event: 'run:progress',
        payload: { runId: 1, epoch: 1, epochs: 2, batch: 3, batches: 4, loss: 0.5, samplesPerSec: 100, etaSeconds: 2 },
      },
      { event: 'datasets:changed', payload: { id: 9 } },
    ]);
    ws.close();
  });

  it('unsubscribes from the service on close', async () => {
    const other = new FakeApi();
    const s = await startServer({ service: other, staticDir });
    expect(other.listeners.get('run:epoch')?.size).toBe(1);
    await s.close();
    expect(other.listeners.get('run:epoch')?.size).toBe(0);
  });
});

describe('sanitizeFileName', () => {
  it('keeps a plain name and strips directories and odd characters', () => {
    expect(sanitizeFileName('city-energy.csv')).toBe('city-energy.csv');
    expect(sanitizeFileName('..\\..\\evil.csv')).toBe('evil.csv');
    expect(sanitizeFileName('.hidden')).toBe('hidden');
    expect(sanitizeFileName('')).toBe('upload.csv');
    expect(sanitizeFileName('a<b>|c.csv')).toBe('a_b_c.csv');
  });
});
