// tune's re-ranking with `trialShrink` (core/study/rerank.ts): every fold of a candidate's backtest
// carries `shrinkFrom: <the candidate's run>`, so its test forecast uses the trial's shrinkage
// factors, which its run log says; by default (off) no fold carries it. Through the service on a
// real database, folds trained in real workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../../core/service.js';
import { RERANK_DEFAULTS, rerank } from '../../../core/study/rerank.js';
import { ok, sineCsv, tempDir, tinySpec } from '../../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'w.db'), stopGraceSeconds: 10 });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 400), name: 'sine' }))).id;
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('re-ranking with the trial’s shrinkage factors', () => {
  it('gives every fold the candidate’s run as shrinkFrom, and none by default', { timeout: 300_000 }, async () => {
    expect(RERANK_DEFAULTS.trialShrink).toBe(false);
    const s = await ok(
      svc.call('studies.create', {
        datasetId,
        base: tinySpec({ train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 } }),
        space: { 'model.cell': ['lstm'] },
        strategy: 'grid',
        concurrency: 1,
      }),
    );
    await svc.waitForStudy(s.id);
    const study = await ok(svc.call('studies.get', { id: s.id }));
    const trialRun = study.trials[0]!.runId;
    const foldSpecs = async (trialShrink: boolean) => {
      const sel = await rerank(svc, study, { ...RERANK_DEFAULTS, folds: 2, deadline: null, trialShrink });
      const bt = await ok(svc.call('backtests.get', { id: sel!.candidates[0]!.backtestId! }));
      expect(bt.foldRuns.map((f) => f.status)).toEqual(['completed', 'completed']);
      return Promise.all(bt.foldRuns.map(async (f) => (await ok(svc.call('runs.get', { id: f.runId! }))).spec));
    };
    for (const spec of await foldSpecs(true)) expect(spec.shrinkFrom).toBe(trialRun);
    for (const spec of await foldSpecs(false)) expect(spec.shrinkFrom).toBeUndefined();
  });
});
