// Bundling and importing run in a worker process (worker/export/bundle.ts), not in the host: the
// service hands both to its launcher as jobs, and the answer is the same as before. How long the
// host's event loop is held during each, before and after, is measured by test/bench/bundles.ts.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkLauncher, type Job, type JobLauncher } from '../../core/jobs.js';
import { createService } from '../../core/service.js';
import { openDb } from '../../db/open.js';
import { dumpRun, seedDataset, seedRun, uuidOf } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-bundles-worker-');
afterAll(() => t.cleanup());

describe('run bundles in a worker process', () => {
  it('bundles and imports through worker jobs, with the same result as in the host', async () => {
    const kinds: Job['kind'][] = [];
    const launcher: JobLauncher = { start: (job) => (kinds.push(job.kind), forkLauncher.start(job)) };
    const a = join(t.dir, 'a.db');
    const seed = openDb(a);
    const ds = seedDataset(seed);
    const ids = [1, 2, 3].map((seedNo) => seedRun(seed, ds, { seed: seedNo, weights: 300 }));
    seed.close();
    const svcA = createService({ dbPath: a, launcher });
    const svcB = createService({ dbPath: join(t.dir, 'b.db'), launcher });
    try {
      const file = join(t.dir, 'three.rnnwb');
      const made = await svcA.call('runs.bundle', { ids, outPath: file });
      expect(made).toMatchObject({ ok: true, value: { path: file, runs: 3, datasets: 1, withData: true } });
      const missing = await svcA.call('runs.bundle', { ids: [99], outPath: join(t.dir, 'none.rnnwb') });
      expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', field: 'ids' } });
      const got = await svcB.call('runs.importBundle', { path: file });
      expect(got.ok && got.value.added.map((r) => r.name)).toHaveLength(3);
      expect(kinds).toEqual(['bundle', 'bundle', 'import-bundle']);
      const dbA = openDb(a);
      const dbB = openDb(join(t.dir, 'b.db'));
      for (const id of ids) expect(dumpRun(dbB, uuidOf(dbA, id))).toEqual(dumpRun(dbA, uuidOf(dbA, id)));
      dbA.close();
      dbB.close();
    } finally {
      await svcA.close();
      await svcB.close();
    }
  });
});
