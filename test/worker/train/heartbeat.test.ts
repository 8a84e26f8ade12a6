// The run's heartbeat (runs.heartbeat) is what tells a live trainer from a vanished one, so it must
// keep beating through long stretches without a batch boundary: a GPU epoch is one submit, and
// validation runs between batches. The beat is a timer; here it beats while the event loop waits
// on something long (as it does on a GPU submit), and a real trainer beats within one long epoch.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/open.js';
import { createService, type Service } from '../../../core/service.js';
import { startHeartbeat } from '../../../worker/train/heartbeat.js';
import { ok, sineCsv, tempDir, tinySpec } from '../../helpers.js';

const t = tempDir('rnnwb-beat-');
const dbPath = join(t.dir, 'beat.db');
let svc: Service;
let datasetId: number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  process.env.RNN_WORKBENCH_GPU = 'off';
  svc = createService({ dbPath });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 4000), name: 'sine' }))).id;
});

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('run heartbeat', () => {
  it('beats on a timer while the trainer awaits one long piece of work, and stops when told', async () => {
    const run = await ok(
      svc.call('runs.create', {
        datasetId,
        spec: tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }),
      }),
    );
    await svc.waitForRun(run.id);
    const db = openDb(dbPath);
    const beat = () =>
      (db.prepare(`SELECT heartbeat FROM runs WHERE id = ?`).get(run.id) as { heartbeat: number }).heartbeat;
    try {
      const seen = new Set<number>();
      const stop = startHeartbeat(db, run.id, 50);
      for (let i = 0; i < 6; i++) {
        await sleep(60); // a long await, as a GPU epoch is
        seen.add(beat());
      }
      stop();
      expect(seen.size).toBeGreaterThanOrEqual(4);
      const last = beat();
      await sleep(200);
      expect(beat()).toBe(last);
    } finally {
      db.close();
    }
  });

  it('a real trainer keeps beating during one long epoch', { timeout: 120_000 }, async () => {
    // Beats every 200 ms (the trainer inherits the environment), so an epoch of a second or two shows several.
    process.env.RNN_WORKBENCH_HEARTBEAT_MS = '200';
    // TF.js's trainOnBatch keeps this epoch at a few seconds; the whole step in wasm (the default)
    // trains it in well under one, too short for three beats.
    process.env.RNN_FUSED_STEP = '0';
    const run = await ok(
      svc.call('runs.create', {
        datasetId,
        spec: tinySpec({ train: { epochs: 1, batchSize: 4, learningRate: 0.01, patience: 0 } }),
      }),
    );
    const raw = new Database(dbPath, { readonly: true });
    const beats = new Set<number>();
    const row = () =>
      raw
        .prepare(
          `SELECT status, heartbeat, (SELECT COUNT(*) FROM metrics WHERE run_id = r.id) AS n FROM runs r WHERE id = ?`,
        )
        .get(run.id) as { status: string; heartbeat: number | null; n: number };
    const done = svc.waitForRun(run.id).then(() => true);
    for (let r = row(); !(await Promise.race([done, sleep(50).then(() => false)])); r = row()) {
      // Only beats inside the one epoch (no metrics yet) count.
      if (r.status === 'running' && r.n === 0 && r.heartbeat) beats.add(r.heartbeat);
    }
    raw.close();
    delete process.env.RNN_WORKBENCH_HEARTBEAT_MS;
    delete process.env.RNN_FUSED_STEP;
    expect((await ok(svc.call('runs.get', { id: run.id }))).status).toBe('completed');
    expect(beats.size).toBeGreaterThanOrEqual(3);
  });
});
