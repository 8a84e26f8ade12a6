// Issue 10 item 7: one private upload folder per server instance (0700, under the OS temp dir, named
// with the server's pid), symlinks refused (a symlink in the shared upload folder imported
// /etc/passwd), a total quota, leftovers of a killed server removed at the next start, and a body
// over the API limit answered with a 413 envelope instead of a reset connection.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/service.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { tempDir } from '../helpers.js';
import { api, csvText, send, upload } from './http-client.js';

const t = tempDir('rnnwb-uploads-');
let svc: Service;
let server: RunningServer;

beforeAll(async () => {
  writeFileSync(join(t.dir, 'index.html'), '<!doctype html>');
  svc = createService({ dbPath: join(t.dir, 'wb.db'), host: 'server' });
  server = await startServer({ service: svc, staticDir: t.dir });
});

afterAll(async () => {
  await server.close();
  await svc.close();
  t.cleanup();
});

const datasetCount = async () => ((await svc.call('datasets.list', {})) as { ok: true; value: unknown[] }).value.length;

/** Uploads a small CSV; returns its path and this server's upload folder. */
async function uploaded(s: RunningServer, name = 'a.csv'): Promise<{ path: string; folder: string }> {
  const r = await upload(s.port, s.token, name, csvText(50));
  expect(r.status).toBe(200);
  const path = r.json().value.path as string;
  return { path, folder: dirname(dirname(path)) };
}

describe('the upload folder', () => {
  it('is private to this server: mode 0700, under the OS temp dir, named with its pid, removed at close', async () => {
    const other = await startServer({ service: svc, staticDir: t.dir });
    const mine = await uploaded(server);
    const theirs = await uploaded(other);
    expect(dirname(mine.folder)).toBe(tmpdir());
    expect(basename(mine.folder)).toMatch(new RegExp(`^rnn-workbench-uploads-${process.pid}-`));
    expect(statSync(mine.folder).mode & 0o777).toBe(0o700);
    expect(theirs.folder).not.toBe(mine.folder);
    // Another server's upload is not ours to import.
    const cross = await api(server.port, server.token, 'datasets.import', { path: theirs.path });
    expect(cross.status).toBe(403);
    await other.close();
    expect(existsSync(theirs.folder)).toBe(false);
  });

  it('refuses a symlink to /etc/passwd placed in it, and one put in place of an upload', async () => {
    const before = await datasetCount();
    const { path, folder } = await uploaded(server);
    const planted = join(dirname(path), 'passwd.csv');
    symlinkSync('/etc/passwd', planted);
    const r1 = await api(server.port, server.token, 'datasets.import', { path: planted });
    expect(r1.status).toBe(403);
    expect(r1.json().error).toMatchObject({ code: 'forbidden', field: 'path' });
    const top = join(folder, 'top.csv');
    symlinkSync('/etc/passwd', top);
    expect((await api(server.port, server.token, 'datasets.import', { path: top })).status).toBe(403);
    rmSync(path);
    symlinkSync('/etc/passwd', path);
    const r2 = await api(server.port, server.token, 'datasets.import', { path });
    expect(r2.status).toBe(403);
    expect(r2.json().error.message).toMatch(/no longer a plain file/);
    expect(await datasetCount()).toBe(before);
  });

  it('holds at most the quota: over it an upload gets 507 with the envelope (declared or streamed), an import frees it', async () => {
    const small = await startServer({ service: svc, staticDir: t.dir, uploadQuotaBytes: 6000 });
    try {
      const text = csvText(80); // about 3.2 kB
      const first = await upload(small.port, small.token, 'one.csv', text);
      expect(first.status).toBe(200);
      const declared = await upload(small.port, small.token, 'two.csv', text);
      expect(declared.status).toBe(507);
      expect(declared.json()).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'file' } });
      expect(declared.json().error.message).toMatch(/quota of 6000 bytes/);
      const chunked = await send(small.port, '/upload?name=three.csv', {
        token: small.token,
        body: text,
        headers: { 'transfer-encoding': 'chunked' },
      });
      expect(chunked.status).toBe(507);
      expect(chunked.json().error.message).toMatch(/quota of 6000 bytes is used up/);
      const folder = dirname(dirname(first.json().value.path));
      expect(readdirSync(folder)).toHaveLength(1);
      const imp = await api(small.port, small.token, 'datasets.import', { path: first.json().value.path });
      expect(imp.status).toBe(200);
      expect((await upload(small.port, small.token, 'two.csv', text)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it(
    "left by a killed server is removed when the next server starts; a live server's stays",
    { timeout: 60_000 },
    async () => {
      const root = join(t.dir, 'root');
      mkdirSync(root);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'serve-child.ts'), root, join(t.dir, 'child.db'), t.dir],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
      try {
        const line = await new Promise<string>((resolve) =>
          createInterface({ input: child.stdout! }).once('line', resolve),
        );
        const { port, token } = JSON.parse(line) as { port: number; token: string };
        const r = await upload(port, token, 'left.csv', csvText(50));
        expect(r.status).toBe(200);
        const leftover = dirname(dirname(r.json().value.path as string));
        expect(basename(leftover)).toMatch(new RegExp(`^rnn-workbench-uploads-${child.pid}-`));
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        expect(existsSync(leftover)).toBe(true);
        const live = join(root, `rnn-workbench-uploads-${sleeper.pid}-keep`);
        mkdirSync(live);
        const next = await startServer({ service: svc, staticDir: t.dir, uploadRoot: root });
        await next.close();
        expect(existsSync(leftover)).toBe(false);
        expect(existsSync(live)).toBe(true);
      } finally {
        child.kill('SIGKILL');
        sleeper.kill('SIGKILL');
      }
    },
  );
});

describe('a request body over the API limit', () => {
  it('gets 413 with the error envelope, not a reset connection', { timeout: 60_000 }, async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(17 * 1024 * 1024) });
    const r = await send(server.port, '/api/system.info', {
      token: server.token,
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(r.json().error.message).toMatch(/larger than 16777216 bytes/);
    // The connection is still good for the next call.
    expect((await api(server.port, server.token, 'system.info', {})).status).toBe(200);
  });
});
