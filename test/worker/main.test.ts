// worker/main.ts loads core/errors.ts (the contract, zod) only when a job fails (issue 15 item 4):
// a failed job still reaches its host as the contract's coded error, named by line, and the
// worker still exits.
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkWorker, type WorkerToHost } from '../../core/jobs.js';
import { tempDir, writeFile } from '../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('worker/main.ts', () => {
  it("reports a failed job's coded error, loading core/errors.ts only then", async () => {
    const child = forkWorker();
    const messages: WorkerToHost[] = [];
    child.on('message', (m) => messages.push(m as WorkerToHost));
    const bad = writeFile(t.dir, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    child.send({ type: 'start', job: { kind: 'import', dbPath: join(t.dir, 'w.db'), path: bad } });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const error = messages.find((m) => m.type === 'error');
    expect(error).toMatchObject({ type: 'error', error: { code: 'bad_input', field: 'line 3' } });
  }, 60_000);
});
