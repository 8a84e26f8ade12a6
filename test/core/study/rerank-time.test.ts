// tune's search gets back the re-ranking time it will not need (core/study/rerank.ts,
// handBackRerankTime): a real study in real trainers whose time budget grows, once its first
// trial has ended, to the deadline less what one backtest of that trial's duration takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../../core/service.js';
import { BACKTEST_OVERHEAD_SECONDS, handBackRerankTime, RERANK_DEFAULTS } from '../../../core/study/rerank.js';
import { ok, sineCsv, tempDir, tinySpec } from '../../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'w.db'), stopGraceSeconds: 10 });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 300), name: 'sine' }))).id;
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('handing unneeded re-ranking time back to the search', () => {
  it(
    'raises the time budget to the deadline less one backtest of the first trial, never below the first share',
    {
      timeout: 120_000,
    },
    async () => {
      const minSearch = 15; // long enough for the first trial to complete (a cold trainer on a loaded machine)
      const whole = 60;
      const base = tinySpec({ train: { epochs: 2, batchSize: 32, learningRate: 0.01, patience: 0 } });
      const s = await ok(
        svc.call('studies.create', {
          datasetId,
          base,
          space: { 'model.cell': ['lstm', 'gru'] },
          strategy: 'random',
          budgetSeconds: minSearch,
          concurrency: 1,
        }),
      );
      const deadline = Date.now() + whole * 1000;
      const off = handBackRerankTime(svc, s.id, { top: 1, deadline, minSearch, cap: whole - minSearch });
      await svc.waitForStudy(s.id);
      off();
      const done = await ok(svc.call('studies.get', { id: s.id }));
      expect(done.state).toBe('completed');
      const first = await ok(svc.call('runs.get', { id: done.trials.find((x) => x.trial === 0)!.runId }));
      const took = (Date.parse(first.endedAt!) - Date.parse(first.startedAt!)) / 1000;
      const reserve = RERANK_DEFAULTS.folds * took + BACKTEST_OVERHEAD_SECONDS;
      expect(reserve).toBeLessThan(whole - minSearch - 4); // else this machine is too slow for the check below
      const budget = done.file.budgetSeconds!;
      // Set on the last progress event: the study's time then plus what was left, less the reserve.
      expect(budget).toBeGreaterThan(minSearch);
      expect(budget).toBeGreaterThan(whole - reserve - 3);
      expect(budget).toBeLessThanOrEqual(whole - reserve + 0.5);
      // The search used it: it ran past its first share, more trials than that share held.
      expect(done.elapsedSeconds).toBeGreaterThan(minSearch + 1);
    },
  );
});
