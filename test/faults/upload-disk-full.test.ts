// A full disk under the upload folder: /upload answered 200 with a truncated file (a 32 MB CSV
// stored as 20.5 MB) and importing it succeeded with a fraction of the rows. Every write error
// must fail the upload with the envelope and delete the partial file, and an import must refuse
// a file whose size is not the one the upload promised. The full disk is a real 2 MB tmpfs
// (root only; skipped with the reason printed otherwise).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../core/service.js';
import { startServer, type RunningServer } from '../../core/server.js';
import { tempDir } from '../helpers.js';
import { api, csvText, upload } from './http-client.js';

const t = tempDir('rnnwb-diskfull-');
const mountDir = mkdtempSync(join(tmpdir(), 'rnnwb-tmpfs-'));
let mounted = false;
let skipReason = '';
let svc: Service;

function mountTmpfs(): void {
  if (process.getuid?.() !== 0) {
    skipReason = 'not running as root: cannot mount a tmpfs to fill';
    return;
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountDir], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    skipReason = `mount -t tmpfs failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Every file under `dir` (the upload folders themselves may stay; no file may). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name));
}

beforeAll(() => {
  writeFileSync(join(t.dir, 'index.html'), '<!doctype html>');
  mountTmpfs();
  if (!mounted) console.log(`upload-disk-full: skipping the full-disk test: ${skipReason}`);
  svc = createService({ dbPath: join(t.dir, 'wb.db'), host: 'server' });
});

afterAll(async () => {
  await svc.close();
  if (mounted) execFileSync('umount', [mountDir]);
  rmSync(mountDir, { recursive: true, force: true });
  t.cleanup();
});

describe('upload onto a full disk', () => {
  it(
    'fails with 507 and the envelope, keeps no partial file, and the next upload that fits imports whole',
    { timeout: 60_000 },
    async (ctx) => {
      if (!mounted) return ctx.skip(skipReason);
      const server: RunningServer = await startServer({ service: svc, uploadRoot: mountDir, staticDir: t.dir });
      try {
        const big = csvText(100_000); // about 4 MB into a 2 MB filesystem
        expect(Buffer.byteLength(big)).toBeGreaterThan(3 * 1024 * 1024);
        const r = await upload(server.port, server.token, 'big.csv', big);
        expect(r.status).toBe(507);
        const body = r.json();
        expect(body.ok).toBe(false);
        expect(body.error).toMatchObject({ code: 'internal', field: 'file' });
        expect(body.error.message).toMatch(/disk is full \(ENOSPC\)/);
        expect(filesUnder(mountDir)).toEqual([]);

        // The space came back: a file that fits is stored whole and imports every row.
        const small = csvText(20_000);
        const ok = await upload(server.port, server.token, 'small.csv', small);
        expect(ok.status).toBe(200);
        expect(ok.json().value.bytes).toBe(Buffer.byteLength(small));
        const imp = await api(server.port, server.token, 'datasets.import', { path: ok.json().value.path });
        expect(imp.json().ok ? 'ok' : imp.json().error.message).toBe('ok');
        expect(imp.json().value.rowCount).toBe(20_000);
      } finally {
        await server.close();
      }
    },
  );
});

describe('import of an upload whose file is not the size that was uploaded', () => {
  it('is refused, naming the file, and stores nothing', { timeout: 60_000 }, async () => {
    const server = await startServer({ service: svc, uploadRoot: t.dir, staticDir: t.dir });
    try {
      const text = csvText(5_000);
      const up = await upload(server.port, server.token, 'cut.csv', text);
      expect(up.status).toBe(200);
      const { path } = up.json().value as { path: string };
      // What a disk that filled under the file leaves: its first whole lines (a CSV that parses).
      truncateSync(path, text.lastIndexOf('\n', Math.floor(statSync(path).size * 0.6)) + 1);
      const before = (await svc.call('datasets.list', {})) as { ok: true; value: unknown[] };
      const imp = await api(server.port, server.token, 'datasets.import', { path });
      expect(imp.status).toBe(422);
      expect(imp.json().error.code).toBe('bad_input');
      expect(imp.json().error.message).toContain(basename(path));
      expect(imp.json().error.message).toContain(`${Buffer.byteLength(text)} were uploaded`);
      const after = (await svc.call('datasets.list', {})) as { ok: true; value: unknown[] };
      expect(after.value.length).toBe(before.value.length);
    } finally {
      await server.close();
    }
  });
});
