// runs.predict in browser mode: forecasting from the run's dataset goes through, a new CSV goes
// through only as a file uploaded to this server (then dropped), and the page cannot make the host
// read any other file by naming it as csvPath.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-predict-server-');
afterAll(() => t.cleanup());

function post(
  port: number,
  path: string,
  token: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'x-workbench-token': token, 'content-type': type },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('runs.predict in browser mode', () => {
  it('refuses a csvPath (forbidden, naming the field) and passes a plain call to the service', async () => {
    const svc = createService({ dbPath: join(t.dir, 'w.db') });
    const server = await startServer({ service: svc, staticDir: t.dir, uploadRoot: t.dir });
    try {
      const withCsv = await post(
        server.port,
        '/api/runs.predict',
        server.token,
        JSON.stringify({ id: 1, csvPath: '/etc/passwd' }),
      );
      expect(withCsv.status).toBe(403);
      expect(JSON.parse(withCsv.body)).toMatchObject({ ok: false, error: { code: 'forbidden', field: 'csvPath' } });
      const plain = await post(server.port, '/api/runs.predict', server.token, JSON.stringify({ id: 1 }));
      expect(JSON.parse(plain.body)).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
    } finally {
      await server.close();
      await svc.close();
    }
  });

  it('passes an uploaded CSV to the service as csvPath, then drops the uploaded copy', async () => {
    const svc = createService({ dbPath: join(t.dir, 'w2.db') });
    const server = await startServer({ service: svc, staticDir: t.dir, uploadRoot: t.dir });
    try {
      const up = await post(
        server.port,
        '/upload?name=new.csv',
        server.token,
        'month,value\n2020-01-01,1\n',
        'text/csv',
      );
      const path = (JSON.parse(up.body) as { value: { path: string } }).value.path;
      expect(existsSync(path)).toBe(true);
      const r = await post(server.port, '/api/runs.predict', server.token, JSON.stringify({ id: 1, csvPath: path }));
      // Reached the service (no such run here), not refused by the browser-mode guard.
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
      expect(existsSync(path)).toBe(false);
      const again = await post(
        server.port,
        '/api/runs.predict',
        server.token,
        JSON.stringify({ id: 1, csvPath: path }),
      );
      expect(again.status).toBe(403);
      expect(JSON.parse(again.body)).toMatchObject({ error: { code: 'forbidden', field: 'csvPath' } });
    } finally {
      await server.close();
      await svc.close();
    }
  });
});
