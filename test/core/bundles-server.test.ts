// Run bundles in browser mode: downloaded with GET /download/bundle (nothing left on disk),
// imported from an upload; the page can name no host path for either.
import { request } from 'node:http';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { openDb } from '../../db/open.js';
import { count, seedDataset, seedRun } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-bundle-server-');
afterAll(() => t.cleanup());

function send(
  port: number,
  path: string,
  token: string,
  body?: Buffer | string,
  method = body === undefined ? 'GET' : 'POST',
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: {
          'x-workbench-token': token,
          ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('bundles in browser mode', () => {
  it('downloads a bundle of the chosen runs and imports it into another server from an upload', async () => {
    const a = join(t.dir, 'a.db');
    const seed = openDb(a);
    const ds = seedDataset(seed);
    seedRun(seed, ds, { seed: 1, weights: 50 });
    seedRun(seed, ds, { seed: 2, weights: 50 });
    seed.close();
    const svcA = createService({ dbPath: a });
    const svcB = createService({ dbPath: join(t.dir, 'b.db') });
    const from = await startServer({ service: svcA, staticDir: t.dir, uploadRoot: t.dir });
    const to = await startServer({ service: svcB, staticDir: t.dir, uploadRoot: t.dir });
    try {
      const got = await send(from.port, '/download/bundle?runs=1,2', from.token);
      expect(got.status).toBe(200);
      expect(got.headers['content-disposition']).toBe('attachment; filename="runs-1-2.rnnwb"');
      expect(Object.keys(unzipSync(got.body))).toContain('manifest.json');
      // The page cannot name a host path: bundling goes through the download, importing through an upload.
      const direct = await send(
        from.port,
        '/api/runs.bundle',
        from.token,
        JSON.stringify({ ids: [1], outPath: join(t.dir, 'x.rnnwb') }),
      );
      expect(direct.status).toBe(403);
      const notUploaded = await send(
        to.port,
        '/api/runs.importBundle',
        to.token,
        JSON.stringify({ path: join(t.dir, 'x.rnnwb') }),
      );
      expect(notUploaded.status).toBe(403);
      const up = JSON.parse(
        (await send(to.port, '/upload?name=runs-1-2.rnnwb', to.token, got.body)).body.toString(),
      ) as { value: { path: string } };
      const imported = await send(to.port, '/api/runs.importBundle', to.token, JSON.stringify({ path: up.value.path }));
      expect(imported.status).toBe(200);
      expect(JSON.parse(imported.body.toString())).toMatchObject({
        ok: true,
        value: { added: [{ id: 1 }, { id: 2 }], datasetsAdded: 1 },
      });
      const bad = await send(from.port, '/download/bundle?runs=99', from.token);
      expect(bad.status).toBe(404);
    } finally {
      await from.close();
      await to.close();
      await svcA.close();
      await svcB.close();
    }
    const b = openDb(join(t.dir, 'b.db'));
    expect(count(b, 'runs')).toBe(2);
    b.close();
  });
});
