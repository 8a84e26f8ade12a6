// A plain HTTP client for the fault suite: the server's answer (status and JSON envelope), or the
// transport error a client would see (a reset connection is an answer too: the wrong one).
import { request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
  json(): { ok: boolean; value?: any; error?: any };
}

export function send(
  port: number,
  path: string,
  opts: { token: string; body?: string | Buffer; headers?: Record<string, string> },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'x-workbench-token': opts.token, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const upload = (port: number, token: string, name: string, body: string | Buffer) =>
  send(port, `/upload?name=${encodeURIComponent(name)}`, { token, body, headers: { 'content-type': 'text/csv' } });

export const api = (port: number, token: string, method: string, args: unknown) =>
  send(port, `/api/${method}`, { token, body: JSON.stringify(args), headers: { 'content-type': 'application/json' } });

/** `rows` lines of `time,value,temp` (about 40 bytes a row). */
export function csvText(rows: number): string {
  const lines = ['time,value,temp'];
  const start = Date.UTC(2021, 0, 1);
  for (let i = 0; i < rows; i++) {
    const t = new Date(start + i * 3_600_000).toISOString().slice(0, 19);
    lines.push(`${t},${(10 + Math.sin(i / 4)).toFixed(6)},${(20 + Math.cos(i / 7)).toFixed(5)}`);
  }
  return lines.join('\n') + '\n';
}
