// Issue 10, data safety 2: two `resume` commands at once must not start two trainers on one run.
// Real CLI processes on a real database file. The test holds SQLite's write lock while both CLIs
// start, so both have read the run as "interrupted" before either may write: the window in which
// a read-then-write resume let both requeue the run (57 loss rows for 30 epochs).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseSpec, flattenSpec } from '../../core/contract.js';
import { createService } from '../../core/service.js';
import { openDb } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

function cli(dbPath: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/rnn-workbench.js', ...args, '--db', dbPath], {
      env: { ...process.env, RNN_WORKBENCH_SOURCE: '1', RNN_WORKBENCH_BACKEND: 'cpu' },
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('concurrent resume', () => {
  it('two CLI processes resuming one interrupted run start exactly one trainer', async () => {
    const dbPath = join(t.dir, 'race.db');
    const svc = createService({ dbPath });
    const imp = await svc.call('datasets.import', { path: sineCsv(t.dir, 400) });
    if (!imp.ok) throw new Error(imp.error.message);
    await svc.close();

    const epochs = 4;
    const spec = parseSpec(tinySpec({ train: { epochs, batchSize: 64, learningRate: 0.01, patience: 0 } }));
    const db = openDb(dbPath);
    const runId = runsDb.insertRun(db, {
      name: 'race',
      datasetId: imp.value.id,
      spec: JSON.stringify(spec),
      seed: spec.train.seed,
      params: flattenSpec(spec),
    });
    runsDb.finishRun(db, runId, 'interrupted', 'host died');
    db.close();

    const lock = new Database(dbPath);
    lock.exec('BEGIN IMMEDIATE');
    const a = cli(dbPath, 'resume', String(runId));
    const b = cli(dbPath, 'resume', String(runId));
    // Both CLIs start (tsx, open, read the run) and then wait on the lock (busy timeout 10 s).
    await new Promise((r) => setTimeout(r, 7000));
    lock.exec('COMMIT');
    lock.close();
    const results = await Promise.all([a, b]);

    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.out).join('\n---\n')).toEqual([0, 1]);
    const loser = results.find((r) => r.code === 1)!;
    expect(loser.out).toMatch(/another resume or trainer took it first|is (queued|running)/);

    const check = openDb(dbPath, { readonly: true });
    const rows = check
      .prepare(
        `SELECT epoch, COUNT(*) AS n FROM metrics WHERE run_id = ? AND key = 'loss' GROUP BY epoch ORDER BY epoch`,
      )
      .all(runId) as { epoch: number; n: number }[];
    check.close();
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: epochs }, () => 1));
  }, 120_000);
});

describe('resume of an old run', () => {
  it('is not taken for a vanished trainer by another host starting while its trainer loads', async () => {
    const dbPath = join(t.dir, 'old.db');
    const svc = createService({ dbPath });
    const imp = await svc.call('datasets.import', { path: sineCsv(t.dir, 300, 'old.csv') });
    if (!imp.ok) throw new Error(imp.error.message);
    const spec = parseSpec(tinySpec({ train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 } }));
    const db = openDb(dbPath);
    const runId = runsDb.insertRun(db, {
      name: 'old',
      datasetId: imp.value.id,
      spec: JSON.stringify(spec),
      seed: spec.train.seed,
      params: flattenSpec(spec),
    });
    runsDb.finishRun(db, runId, 'interrupted', 'host died');
    db.prepare(`UPDATE runs SET created_at = ? WHERE id = ?`).run(
      new Date(Date.now() - 3_600_000).toISOString(),
      runId,
    );
    db.close();

    const resumed = await svc.call('runs.resume', { id: runId });
    expect(resumed.ok).toBe(true);
    // Another host (a second CLI, the app) opens the database while the trainer is still loading.
    const other = createService({ dbPath });
    await other.close();
    await svc.waitForRun(runId);
    const run = await svc.call('runs.get', { id: runId });
    await svc.close();
    expect(run.ok && run.value.status).toBe('completed');
  }, 120_000);
});
