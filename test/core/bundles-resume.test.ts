// A run bundled on one machine, resumed on another and brought back (issue 13), with real
// training: the run stopped after a few epochs on A, is imported into B, resumed there to the end
// of its epochs, bundled again and imported back into A, where it is the same run (same id),
// now with B's epochs, metrics and checkpoints byte for byte.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventMap } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { openDb } from '../../db/open.js';
import { dumpRun, uuidOf } from '../bundle-fixture.js';
import { ok, sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir('rnnwb-bundle-resume-');
afterAll(() => t.cleanup());

function waitFor<E extends keyof EventMap>(
  svc: Service,
  event: E,
  pred: (p: EventMap[E]) => boolean,
): Promise<EventMap[E]> {
  return new Promise((resolve) => {
    const off = svc.on(event, (p) => {
      if (pred(p)) {
        off();
        resolve(p);
      }
    });
  });
}

describe('bundle, resume elsewhere, bring back', () => {
  it('updates the original run with the epochs trained on the other machine', async () => {
    const a = createService({ dbPath: join(t.dir, 'a.db'), stopGraceSeconds: 5 });
    const b = createService({ dbPath: join(t.dir, 'b.db'), stopGraceSeconds: 5 });
    try {
      // 6,000 rows: the stop after epoch 2 must reach a run that is still training (with the whole
      // step in wasm, 1,200 rows finished all 6 epochs first).
      const ds = await ok(a.call('datasets.import', { path: sineCsv(t.dir, 6000), name: 'sine' }));
      const epochs = 6;
      const run = await ok(
        a.call('runs.create', { datasetId: ds.id, spec: tinySpec({ train: { epochs, batchSize: 64, patience: 0 } }) }),
      );
      await waitFor(a, 'run:epoch', (e) => e.runId === run.id && e.epoch >= 2);
      await ok(a.call('runs.stop', { id: run.id }));
      await a.waitForRun(run.id);
      const stopped = await ok(a.call('runs.get', { id: run.id }));
      expect(stopped.status).toBe('stopped');
      expect(stopped.epochsDone).toBeLessThan(epochs);

      const out = join(t.dir, 'out.rnnwb');
      await ok(a.call('runs.bundle', { ids: [run.id], outPath: out }));
      const there = (await ok(b.call('runs.importBundle', { path: out }))).added[0]!.id;
      await ok(b.call('runs.resume', { id: there }));
      await b.waitForRun(there);
      const resumed = await ok(b.call('runs.get', { id: there }));
      expect(resumed).toMatchObject({ status: 'completed', epochsDone: epochs });

      const back = join(t.dir, 'back.rnnwb');
      await ok(b.call('runs.bundle', { ids: [there], outPath: back }));
      const r = await ok(a.call('runs.importBundle', { path: back }));
      expect(r.updated.map((u) => u.id)).toEqual([run.id]);
      const home = await ok(a.call('runs.get', { id: run.id }));
      expect(home).toMatchObject({ status: 'completed', epochsDone: epochs, datasetId: ds.id });
      expect((await ok(a.call('runs.list', {}))).map((x) => x.id)).toEqual([run.id]);
      const dbA = openDb(join(t.dir, 'a.db'));
      const dbB = openDb(join(t.dir, 'b.db'));
      const uuid = uuidOf(dbA, run.id);
      const { fields: fa, ...restA } = dumpRun(dbA, uuid);
      const { fields: fb, ...restB } = dumpRun(dbB, uuid);
      expect(restA).toEqual(restB);
      expect((fa as { test_metrics: string }).test_metrics).toBe((fb as { test_metrics: string }).test_metrics);
      dbA.close();
      dbB.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
