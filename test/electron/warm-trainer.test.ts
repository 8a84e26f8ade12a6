// The desktop launcher keeps a trainer warm (issue 15 item 4, as `serve` does with
// core/warm-launcher.ts): a utility process forked ahead with RNN_WORKBENCH_WARM=train gets the
// next train job, its run log says it started warm, a new spare follows, imports never take it,
// and closing the launcher ends the spare. Real worker processes through the fake utilityProcess.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService } from '../../core/service.js';
import { createUtilityLauncher } from '../../electron/launcher.js';
import { createFakeElectron, type FakeUtilityProcess } from './fake-electron.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir('rnnwb-warm-');
afterAll(() => t.cleanup());

const until = async (cond: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const isSpare = (p: FakeUtilityProcess) => p.options.env?.RNN_WORKBENCH_WARM === 'train';
const jobOf = (p: FakeUtilityProcess) => (p.posted[0] as { job?: { kind: string; runId?: number } } | undefined)?.job;

describe('desktop launcher with a warm trainer', () => {
  it('hands the warm trainer the next run, forks another, and ends it on close', { timeout: 120_000 }, async () => {
    const { electron, forked } = createFakeElectron({ userData: t.dir });
    const launcher = createUtilityLauncher(electron.utilityProcess as never, { warmDelayMs: 0 });
    const svc = createService({ dbPath: join(t.dir, 'w.db'), launcher });
    try {
      const ds = await svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' });
      if (!ds.ok) throw new Error(ds.error.message);
      const importer = forked.find((p) => jobOf(p)?.kind === 'import')!;
      expect(isSpare(importer)).toBe(false); // an import never takes the warm trainer
      await until(() => forked.some(isSpare));
      const spare = forked.find(isSpare)!;
      await new Promise((r) => setTimeout(r, 1500)); // let it load TF.js
      const lines: string[] = [];
      const off = svc.on('run:log', (l) => lines.push(l.message));
      const run = await svc.call('runs.create', {
        datasetId: ds.value.id,
        spec: tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }),
      });
      if (!run.ok) throw new Error(run.error.message);
      await svc.waitForRun(run.value.id);
      off();
      expect(jobOf(spare)).toMatchObject({ kind: 'train', runId: run.value.id });
      expect(lines.some((m) => /^start-up: process start .*a warm trainer/.test(m))).toBe(true);
      const got = await svc.call('runs.get', { id: run.value.id });
      expect(got.ok && got.value.status).toBe('completed');
      await until(() => forked.filter(isSpare).length === 2); // the next spare
      const next = forked.filter(isSpare)[1]!;
      await svc.close(); // closes the launcher
      await until(() => next.child.exitCode !== null || next.child.signalCode !== null, 10_000);
    } finally {
      for (const p of forked) p.kill();
    }
  });
});
