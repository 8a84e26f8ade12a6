// Trial life cycle through the service, real workers: trials after the first start in warm
// trainers (the study's pool), and a trial whose run is deleted while its study runs is never
// created again (issue 12 bug: the loop filled the gap it left).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../../core/service.js';
import { WARM_TRAINER_RUNS } from '../../../core/jobs.js';
import { warmLauncher } from '../../../core/warm-launcher.js';
import { openDb } from '../../../db/open.js';
import { ok, sineCsv, tempDir, tinySpec } from '../../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;

const base = (epochs: number) => tinySpec({ train: { epochs, batchSize: 32, learningRate: 0.01, patience: 0 } });
const space = { 'model.cell': ['lstm', 'gru'] };

beforeAll(async () => {
  // The CLI's launcher (no spare of its own), with short delays so the test does not wait on them.
  svc = createService({
    dbPath: join(t.dir, 'trials.db'),
    stopGraceSeconds: 10,
    launcher: warmLauncher({ spares: 0, delayMs: 50, poolDelayMs: 50 }),
  });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300), name: 'sine' }))).id;
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('study trials', () => {
  it(
    'start in warm trainers after the first, reusing a trainer for up to WARM_TRAINER_RUNS trials',
    { timeout: 300_000 },
    async () => {
      const db = openDb(join(t.dir, 'trials.db'), { readonly: true });
      const pids = new Map<number, number>();
      // Each run's trainer pid, read while the run holds it (it is cleared when the run ends). An
      // epoch event alone can come too late on a loaded machine: the host may handle the trainer's
      // last epoch message after the trainer has already ended its run (CI, two suites at once, saw
      // the last trial's pid missing), so the rows are also polled while the study runs.
      const record = () => {
        const rows = db.prepare(`SELECT id, worker_pid FROM runs WHERE worker_pid IS NOT NULL`).all() as {
          id: number;
          worker_pid: number;
        }[];
        for (const r of rows) pids.set(r.id, r.worker_pid);
      };
      const poll = setInterval(record, 20);
      const off = svc.on('run:epoch', record);
      const trials = WARM_TRAINER_RUNS + 2;
      const s = await ok(
        svc.call('studies.create', { datasetId, base: base(2), space, strategy: 'random', trials, concurrency: 1 }),
      );
      await svc.waitForStudy(s.id);
      off();
      clearInterval(poll);
      db.close();
      const done = await ok(svc.call('studies.get', { id: s.id }));
      expect(done.state).toBe('completed');
      const warm: boolean[] = [];
      for (const trial of done.trials) {
        const log = await ok(svc.call('runs.log', { id: trial.runId }));
        warm.push(log.some((l) => /^start-up: process start .*a warm trainer/.test(l.message)));
      }
      // The first trial starts before any spare exists; each later one finds a warm trainer.
      expect(warm).toEqual([false, ...Array<boolean>(trials - 1).fill(true)]);
      // A warm trainer whose run ended goes back to the pool: trials 1..8 train in one process; it
      // exits after its 8th run, and the replacement forked when it took that run trains trial 9.
      const p = done.trials.map((x) => pids.get(x.runId));
      expect(new Set(p.slice(1, 1 + WARM_TRAINER_RUNS)).size).toBe(1);
      expect(p[1]).toBeDefined();
      expect(p[0]).not.toBe(p[1]);
      expect(p[trials - 1]).toBeDefined();
      expect(p[trials - 1]).not.toBe(p[1]);
      // A trial's run names its study (and keeps the tag the UI read before).
      const run = await ok(svc.call('runs.get', { id: done.trials[1]!.runId }));
      expect([run.studyId, run.trial, run.tags]).toEqual([s.id, 1, [`study:${s.id}`]]);
    },
  );
  it(
    'a pruned trial is evaluated on the test split without the ETS baseline; a completed one with it',
    { timeout: 300_000 },
    async () => {
      const s = await ok(
        svc.call('studies.create', {
          datasetId,
          // 300 epochs: trial 1 must still be training when the study loop judges it (4, and in CI 30, were over first).
          base: base(300),
          // Same initial weights (seed 42): after one epoch a learning rate of 1e-7 is far behind 0.01.
          space: { 'train.learningRate': [0.01, 1e-7] },
          strategy: 'grid',
          prune: { kind: 'asha', minEpochs: 1, reduction: 2 },
          concurrency: 1,
        }),
      );
      await svc.waitForStudy(s.id);
      const done = await ok(svc.call('studies.get', { id: s.id }));
      expect(done.trials.map((x) => x.status)).toEqual(['completed', 'pruned']);
      const [kept, pruned] = done.trials;
      expect(kept!.test['ets.rmse']).toBeGreaterThan(0);
      expect(pruned!.test['test.rmse']).toBeGreaterThan(0);
      expect(Object.keys(pruned!.test).filter((k) => k.startsWith('ets.'))).toEqual([]);
      const log = await ok(svc.call('runs.log', { id: pruned!.runId }));
      expect(log.map((l) => l.message)).toContain('ETS baseline skipped: the trial was pruned');
    },
  );

  it('a trial whose run is deleted while the study runs is not created again', { timeout: 300_000 }, async () => {
    const s = await ok(
      svc.call('studies.create', { datasetId, base: base(1), space, strategy: 'random', trials: 3, concurrency: 1 }),
    );
    const deleted: number[] = [];
    const off = svc.on('run:status', (e) => {
      if (e.status !== 'completed' || deleted.length > 0) return;
      deleted.push(e.runId);
      // At once, before the study loop's next pass sees the trial ended.
      void svc.call('runs.delete', { id: e.runId });
    });
    await svc.waitForStudy(s.id);
    off();
    const done = await ok(svc.call('studies.get', { id: s.id }));
    expect(done.state).toBe('completed');
    expect(deleted).toHaveLength(1);
    expect(done.trials.map((x) => [x.trial, x.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(done.trials.map((x) => x.runId)).not.toContain(deleted[0]);
    expect(done.counts.removed).toBe(1);
  });
});
