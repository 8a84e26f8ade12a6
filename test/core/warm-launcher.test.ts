// Issue 15 item 4: a long-lived host keeps one trainer warm (Node started, trainer and TF.js
// imported), so a Train skips those seconds; the run log says so. Real service, real processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createService, type Service } from '../../core/service.js';
import { warmLauncher } from '../../core/warm-launcher.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
let svc: Service;
let datasetId: number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function trainAndLog(): Promise<string[]> {
  const run = await svc.call('runs.create', {
    datasetId,
    spec: tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }),
  });
  if (!run.ok) throw new Error(run.error.message);
  await svc.waitForRun(run.value.id);
  const got = await svc.call('runs.get', { id: run.value.id });
  expect(got.ok && got.value.status).toBe('completed');
  const log = await svc.call('runs.log', { id: run.value.id });
  if (!log.ok) throw new Error(log.error.message);
  return log.value.map((l) => l.message);
}

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'warm.db'), host: 'server', launcher: warmLauncher(50) });
  const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 400), name: 'sine' });
  if (!ds.ok) throw new Error(ds.error.message);
  datasetId = ds.value.id;
}, 60_000);

afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('warm trainer', () => {
  it('trains in the process that was waiting, and the next run gets a new warm one', async () => {
    await sleep(8000); // the spare forks after 50 ms and imports TF.js meanwhile
    const first = await trainAndLog();
    expect(first.some((m) => /^start-up: process start .*a warm trainer/.test(m))).toBe(true);
    await sleep(8000);
    const second = await trainAndLog();
    expect(second.some((m) => /^start-up: process start .*a warm trainer/.test(m))).toBe(true);
  }, 120_000);

  it('a trainer forked without a spare (the CLI) logs its own process start', async () => {
    const cli = createService({ dbPath: join(t.dir, 'warm.db') });
    try {
      const run = await cli.call('runs.create', {
        datasetId,
        spec: tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }),
      });
      if (!run.ok) throw new Error(run.error.message);
      await cli.waitForRun(run.value.id);
      const log = await cli.call('runs.log', { id: run.value.id });
      if (!log.ok) throw new Error(log.error.message);
      const start = log.value.map((l) => l.message).find((m) => m.startsWith('start-up: process start'));
      expect(start).toBeDefined();
      expect(start).not.toMatch(/warm/);
    } finally {
      await cli.close();
    }
  }, 120_000);
});
