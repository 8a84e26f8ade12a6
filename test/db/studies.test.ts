// The studies table and trial runs on a real SQLite file: one run per trial number, claims that
// only one host wins, pruning marks, the val_loss ASHA compares at a rung, deletes that unlink.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDb } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import * as studiesDb from '../../db/studies.js';
import { logEpoch } from '../../db/metrics.js';
import { tempDir } from '../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());
const db = openDb(join(t.dir, 'w.db'));
const datasetId = Number(
  db
    .prepare(
      `INSERT INTO datasets (name, source_name, sha256, imported_at, row_count) VALUES ('d', 'd.csv', 'x', 'now', 3)`,
    )
    .run().lastInsertRowid,
);
const host = { pid: 111, started: 5 };
const study = () =>
  studiesDb.insertStudy(
    db,
    {
      name: 's',
      dataset_id: datasetId,
      base: '{"target":"v"}',
      space: '{"model.cell":["lstm","gru"]}',
      strategy: 'random',
      budget_trials: 4,
      budget_seconds: null,
      seeds: 1,
      sampler_seed: 0,
      objective: '"val_loss"',
      prune: '{"kind":"none"}',
      concurrency: 1,
      first_configs: '[]',
    },
    host,
  );
const run = { name: 'r', datasetId, spec: '{}', seed: 1, params: {} };
const link = (studyId: number, trial: number) => ({ studyId, trial, params: '{"model.cell":"gru"}', configHash: 'h' });

describe('studies', () => {
  it('stores a study running, owned by its host, with a uuid', () => {
    const id = study();
    const s = studiesDb.getStudy(db, id)!;
    expect(s).toMatchObject({ state: 'running', host_pid: 111, host_started: 5, elapsed_ms: 0 });
    expect(s.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(studiesDb.runningStudies(db).map((x) => x.id)).toContain(id);
  });

  it('gives each trial number one run, however often it is asked', () => {
    const id = study();
    const first = studiesDb.insertTrialRun(db, run, link(id, 0));
    expect(first).not.toBeNull();
    expect(studiesDb.insertTrialRun(db, run, link(id, 0))).toBeNull();
    // The unique index holds even against a direct insert.
    const other = runsDb.insertRun(db, run);
    expect(() => db.prepare(`UPDATE runs SET study_id = ?, trial = 0 WHERE id = ?`).run(id, other)).toThrow(/UNIQUE/);
    expect(studiesDb.insertTrialRun(db, run, link(id, 1))).not.toBeNull();
    expect(studiesDb.trialRuns(db, id).map((r) => [r.trial, r.status, r.config_hash])).toEqual([
      [0, 'queued', 'h'],
      [1, 'queued', 'h'],
    ]);
  });

  it('ends and claims in one statement: of two resuming hosts one wins', () => {
    const id = study();
    expect(studiesDb.endStudy(db, id, 'interrupted', 'host died')).toBe(true);
    expect(studiesDb.endStudy(db, id, 'completed')).toBe(false); // not running any more
    expect(studiesDb.claimStudy(db, id, ['stopped', 'interrupted'], { pid: 1, started: null })).toBe(true);
    expect(studiesDb.claimStudy(db, id, ['stopped', 'interrupted'], { pid: 2, started: null })).toBe(false);
    expect(studiesDb.getStudy(db, id)).toMatchObject({ state: 'running', host_pid: 1, error: null, ended_at: null });
    studiesDb.beatStudy(db, id, 1500);
    studiesDb.beatStudy(db, id, -5);
    expect(studiesDb.getStudy(db, id)!.elapsed_ms).toBe(1500);
  });

  it('marks pruned only a trial the scheduler asked to prune, once it has stopped', () => {
    const id = study();
    const r = studiesDb.insertTrialRun(db, run, link(id, 0))!;
    studiesDb.requestPrune(db, r);
    expect(studiesDb.markPruned(db, r)).toBe(false); // still queued
    runsDb.finishRun(db, r, 'stopped');
    expect(studiesDb.markPruned(db, r)).toBe(true);
    expect(runsDb.getRun(db, r)!.status).toBe('pruned');
    const other = studiesDb.insertTrialRun(db, run, link(id, 1))!;
    runsDb.finishRun(db, other, 'stopped');
    expect(studiesDb.markPruned(db, other)).toBe(false); // stopped, but not by the pruner
    studiesDb.setRung(db, other, 2);
    studiesDb.setRung(db, other, 1);
    expect(studiesDb.trialRuns(db, id)[1]!.rung).toBe(2);
  });

  it('reads the best value of a metric up to a rung epoch of the trials that reached it', () => {
    const id = study();
    const a = studiesDb.insertTrialRun(db, run, link(id, 0))!;
    const b = studiesDb.insertTrialRun(db, run, link(id, 1))!;
    [3, 2, 1].forEach((v, i) => logEpoch(db, a, i + 1, i, { loss: v, val_loss: v }, i));
    logEpoch(db, b, 1, 0, { loss: 1, val_loss: 0.5 }, 0);
    expect([...studiesDb.metricAtEpoch(db, [a, b], 'val_loss', 1)]).toEqual([
      [a, 3],
      [b, 0.5],
    ]);
    expect([...studiesDb.metricAtEpoch(db, [a, b], 'val_loss', 2)]).toEqual([[a, 2]]);
    expect([...studiesDb.metricAtEpoch(db, [a, b], 'val_loss', 3, true)]).toEqual([[a, 3]]);
    expect(studiesDb.trialProgress(db, id).get(a)).toEqual({ best: { loss: 1, val_loss: 1 }, epochs: 3 });
  });

  it('a deleted study leaves its runs, unlinked', () => {
    const id = study();
    const r = studiesDb.insertTrialRun(db, run, link(id, 0))!;
    db.prepare(`DELETE FROM studies WHERE id = ?`).run(id);
    expect(db.prepare(`SELECT study_id FROM runs WHERE id = ?`).get(r)).toEqual({ study_id: null });
  });
});
