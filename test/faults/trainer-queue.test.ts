// Issue 10, data safety 9: concurrent trainers are capped. Every run started a trainer at once
// (three trainings plus imports on two cores). With the limit at 1, two runs created at once
// through the real service (real trainer processes, real database): the second waits, queued,
// saying why, until the first ends; never are two running at once.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService } from '../../core/service.js';
import { waitReason } from '../../core/trainer-queue.js';
import { defaultMaxTrainers } from '../../core/handlers/settings.js';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { flattenSpec, parseSpec } from '../../core/contract.js';
import { hasProcStartTimes, processStartTime } from '../../core/trainer-identity.js';
import { openDb } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { ok, sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('trainer queue', () => {
  it('with max 1 trainer, a second run waits queued with its reason until the first ends, then starts', async () => {
    const dbPath = join(t.dir, 'queue.db');
    const svc = createService({ dbPath });
    const ds = await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 400) }));
    const settings = await ok(svc.call('settings.set', { maxTrainers: 1 }));
    expect(settings).toMatchObject({ maxTrainers: 1, maxTrainersSet: true });

    // Watch the database itself (another connection), as another host would see it.
    const watch = openDb(dbPath, { readonly: true });
    let maxRunning = 0;
    const poll = setInterval(() => {
      const n = (watch.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status = 'running'`).get() as { n: number }).n;
      maxRunning = Math.max(maxRunning, n);
    }, 50);
    const logs: string[] = [];
    const off = svc.on('run:log', (l) => logs.push(`${l.runId}: ${l.message}`));

    const spec = tinySpec({ train: { epochs: 3, batchSize: 64, learningRate: 0.01, patience: 0 } });
    const [a, b] = await Promise.all([
      ok(svc.call('runs.create', { datasetId: ds.id, spec, name: 'first' })),
      ok(svc.call('runs.create', { datasetId: ds.id, spec, name: 'second' })),
    ]);
    const waiting = await ok(svc.call('runs.get', { id: b.id }));
    expect(waiting.status).toBe('queued');
    expect(waiting.waitReason).toBe(`waiting: 1 of 1 trainer slot busy (run ${a.id})`);
    expect(logs).toContain(`${b.id}: waiting: 1 of 1 trainer slot busy (run ${a.id})`);

    await svc.waitForRun(a.id);
    await svc.waitForRun(b.id);
    clearInterval(poll);
    off();
    const [ra, rb] = await Promise.all([
      ok(svc.call('runs.get', { id: a.id })),
      ok(svc.call('runs.get', { id: b.id })),
    ]);
    watch.close();
    await svc.close();
    expect([ra.status, rb.status]).toEqual(['completed', 'completed']);
    expect(rb.waitReason).toBeNull();
    expect(Date.parse(rb.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ra.endedAt!));
    expect(maxRunning).toBe(1);
  }, 180_000);

  it('a run stopped while it waits leaves the queue stopped, and the limit is stored per database', async () => {
    const dbPath = join(t.dir, 'stop-queued.db');
    const svc = createService({ dbPath });
    const ds = await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300, 'q2.csv') }));
    await ok(svc.call('settings.set', { maxTrainers: 1 }));
    const spec = tinySpec({ train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 } });
    const a = await ok(svc.call('runs.create', { datasetId: ds.id, spec }));
    const b = await ok(svc.call('runs.create', { datasetId: ds.id, spec }));
    expect(b.status).toBe('queued');
    const stopped = await ok(svc.call('runs.stop', { id: b.id }));
    expect(stopped).toMatchObject({ status: 'stopped', waitReason: null });
    await svc.waitForRun(b.id); // resolves: it left the queue
    await svc.waitForRun(a.id);
    await svc.close();

    // Another host on the same database reads the same limit; null goes back to the default.
    const other = createService({ dbPath });
    expect(await ok(other.call('settings.get', {}))).toMatchObject({ maxTrainers: 1, maxTrainersSet: true });
    expect(await ok(other.call('settings.set', { maxTrainers: null }))).toEqual({
      maxTrainers: defaultMaxTrainers(),
      defaultMaxTrainers: defaultMaxTrainers(),
      maxTrainersSet: false,
    });
    const bad = await other.call('settings.set', { maxTrainers: 0 });
    expect(bad.ok || bad.error.code).toBe('invalid_args');
    await other.close();
  }, 180_000);

  it.skipIf(!hasProcStartTimes())(
    'counts a live trainer of another process as busy, and starts when it is gone',
    async () => {
      const dbPath = join(t.dir, 'cross.db');
      const svc = createService({ dbPath });
      const ds = await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300, 'q3.csv') }));
      await ok(svc.call('settings.set', { maxTrainers: 1 }));
      // Another process's trainer: a real process, recorded by pid and start time on a running run.
      const other = spawn('sleep', ['60'], { stdio: 'ignore' });
      await new Promise((r) => other.once('spawn', r));
      const spec = parseSpec(tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }));
      const raw = openDb(dbPath);
      const foreign = runsDb.insertRun(raw, {
        name: 'elsewhere',
        datasetId: ds.id,
        spec: JSON.stringify(spec),
        seed: spec.train.seed,
        params: flattenSpec(spec),
      });
      runsDb.markStarted(raw, foreign, {
        pid: other.pid!,
        started: processStartTime(other.pid!),
        backend: 'cpu',
        device: 'cpu',
        impl: 'x',
        paramCount: 1,
      });
      raw.close();

      const mine = await ok(svc.call('runs.create', { datasetId: ds.id, spec }));
      expect(mine.waitReason).toBe(`waiting: 1 of 1 trainer slot busy (run ${foreign})`);
      await new Promise((r) => setTimeout(r, 3000)); // a timer tick or more: still waiting
      expect((await ok(svc.call('runs.get', { id: mine.id }))).status).toBe('queued');

      other.kill('SIGKILL');
      await svc.waitForRun(mine.id);
      const [done, gone] = await Promise.all([
        ok(svc.call('runs.get', { id: mine.id })),
        ok(svc.call('runs.get', { id: foreign })),
      ]);
      await svc.close();
      expect(done.status).toBe('completed');
      expect(gone.status).toBe('interrupted');
    },
    180_000,
  );

  it('defaults to one trainer per two cores and words the wait reason', () => {
    expect(defaultMaxTrainers()).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(waitReason([7, 9], 2, 1)).toBe('waiting: 2 of 2 trainer slots busy (runs 7, 9); 1 queued run ahead');
  });
});
