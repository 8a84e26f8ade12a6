// Studies through the service on a real database, trials in real workers: stop and resume, a
// time budget, and a study whose host died leaving a queued trial nobody will start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../../core/service.js';
import type { StudyRow } from '../../../core/contract.js';
import { openDb } from '../../../db/open.js';
import * as runsDb from '../../../db/runs.js';
import * as studiesDb from '../../../db/studies.js';
import { ok, sineCsv, tempDir, tinySpec } from '../../helpers.js';

const t = tempDir();
const dbPath = join(t.dir, 'w.db');
let svc: Service;
let datasetId: number;

const base = (epochs: number) => tinySpec({ train: { epochs, batchSize: 32, learningRate: 0.01, patience: 0 } });
const space = { 'model.cell': ['lstm', 'gru'] };

beforeAll(async () => {
  svc = createService({ dbPath, stopGraceSeconds: 10 });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300), name: 'sine' }))).id;
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('studies in the service', () => {
  it('stops (the running trial saves) and resumes to the planned trials', { timeout: 300_000 }, async () => {
    const s = await ok(
      // 40 epochs: the stop after the first epoch must reach a trial still training.
      svc.call('studies.create', { datasetId, base: base(40), space, strategy: 'random', trials: 3, concurrency: 1 }),
    );
    const events: string[] = [];
    const off = svc.on('study:status', (e) => e.studyId === s.id && events.push(e.state));
    await new Promise<void>((resolve) => {
      // The first epoch of the study's first trial (the only run training now).
      const offEpoch = svc.on('run:epoch', () => {
        offEpoch();
        void ok(svc.call('studies.stop', { id: s.id })).then(() => resolve());
      });
    });
    await svc.waitForStudy(s.id);
    await svc.waitForRun((await ok(svc.call('studies.get', { id: s.id }))).trials[0]!.runId);
    const stopped = await ok(svc.call('studies.get', { id: s.id }));
    expect(stopped.state).toBe('stopped');
    expect(stopped.trials.map((x) => x.status)).toEqual(['stopped']);
    expect(stopped.trials[0]!.epochsDone).toBeLessThan(40);

    expect((await svc.call('studies.stop', { id: s.id })).ok).toBe(true); // stopping a stopped study: no change
    await ok(svc.call('studies.resume', { id: s.id }));
    await svc.waitForStudy(s.id);
    const done = await ok(svc.call('studies.get', { id: s.id }));
    off();
    expect(done.state).toBe('completed');
    expect(done.trials.map((x) => [x.trial, x.status, x.epochsDone])).toEqual([
      [0, 'completed', 40],
      [1, 'completed', 40],
      [2, 'completed', 40],
    ]);
    expect(events).toEqual(['stopped', 'running', 'completed']);
    const again = await svc.call('studies.resume', { id: s.id });
    expect(again.ok ? '' : again.error.message).toMatch(/is completed/);
  });

  it('ends at its time budget: running trials stop with their best checkpoint evaluated', async () => {
    const s = await ok(
      // 10,000 epochs (the most a spec allows): no trial may end on its own within the 4 s (500 could with the whole step).
      svc.call('studies.create', { datasetId, base: base(10_000), space, budgetSeconds: 4, concurrency: 1 }),
    );
    expect(s.plannedTrials).toBeNull();
    await svc.waitForStudy(s.id);
    const done = await ok(svc.call('studies.get', { id: s.id }));
    expect(done.state).toBe('completed');
    expect(done.elapsedSeconds).toBeGreaterThanOrEqual(4);
    expect(done.trials.length).toBeGreaterThanOrEqual(1);
    expect(done.trials.map((x) => x.status)).toEqual(done.trials.map(() => 'stopped'));
    await Promise.all(done.trials.map((x) => svc.waitForRun(x.runId)));
  });

  it('a study whose host died leaving a queued trial: interrupted at the next start, resumed without a duplicate', async () => {
    const db = openDb(dbPath);
    const id = studiesDb.insertStudy(
      db,
      {
        name: 'orphan',
        dataset_id: datasetId,
        base: JSON.stringify(base(2)),
        space: JSON.stringify(space),
        strategy: 'grid',
        budget_trials: 2,
        budget_seconds: null,
        seeds: 1,
        sampler_seed: 0,
        objective: '"val_loss"',
        prune: '{"kind":"none"}',
        concurrency: 1,
        first_configs: '[]',
      },
      { pid: 2 ** 22 - 3, started: 1 }, // no such process
    );
    const spec = JSON.stringify({
      ...base(2),
      target: ['value'],
      model: { cell: 'lstm', layers: [{ units: 8, dropout: 0 }] },
    });
    const link = { studyId: id, trial: 0, params: '{"model.cell":"lstm"}', configHash: 'x' };
    const run = { name: 'orphan · trial 1', datasetId, spec, seed: 42, params: {} };
    const queued = studiesDb.insertTrialRun(db, run, link)!;
    db.close();

    const other = createService({ dbPath });
    try {
      const s = await ok(other.call('studies.get', { id }));
      expect(s.state).toBe('interrupted');
      expect(s.error).toMatch(/ended without finishing it/);
      await ok(other.call('studies.resume', { id }));
      await other.waitForStudy(id);
      const done: StudyRow = await ok(other.call('studies.get', { id }));
      expect(done.state).toBe('completed');
      expect(done.trials.map((x) => [x.trial, x.runId === queued, x.status])).toEqual([
        [0, true, 'completed'],
        [1, false, 'completed'],
      ]);
      expect(
        runsDb.listRuns(openDb(dbPath, { readonly: true })).filter((r) => r.name.startsWith('orphan')),
      ).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});
