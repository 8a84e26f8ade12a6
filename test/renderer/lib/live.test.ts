// @vitest-environment jsdom
// Issue 14 bug 7, the live run: the log survives a reload (runs.log merged with live lines), the ETA
// goes away after Stop, and a finished run's row arrives whole (status, epochs and test metrics
// together). Against the real service on a temp SQLite file, with real trainers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLog } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import { openDb } from '../../../db/open.js';
import * as runsDb from '../../../db/runs.js';
import { logEpoch } from '../../../db/metrics.js';
import { AppState } from '../../../renderer/src/lib/app.svelte.js';
import { LiveRuns, mergeLogs } from '../../../renderer/src/lib/live.svelte.js';
import { inProcessClient } from '../client.js';
import { sineCsv, tinySpec } from '../../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

describe('mergeLogs', () => {
  const line = (seq: number | undefined, time: number, message = `m${seq}`): RunLog => ({
    runId: 1,
    level: 'info',
    message,
    time,
    ...(seq !== undefined ? { seq } : {}),
  });
  it('keeps one line per seq and places host notes by time', () => {
    const stored = [line(1, 10), line(2, 20)];
    const live = [line(2, 20), line(undefined, 15, 'status: running'), line(3, 30)];
    expect(mergeLogs(stored, live).map((l) => l.message)).toEqual(['m1', 'status: running', 'm2', 'm3']);
  });
});

describe('LiveRuns and AppState against a real service', () => {
  let dir: string;
  let service: Service;
  let datasetId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-live-'));
    service = createService({ dbPath: join(dir, 'w.db'), host: 'server', watchExternalMs: 50, stopGraceSeconds: 10 });
    const imported = await service.call('datasets.import', { path: sineCsv(dir, 3000), name: 'sine' });
    if (!imported.ok) throw new Error(imported.error.message);
    datasetId = imported.value.id;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after Stop the progress (and its ETA) is gone; a reload shows the whole stored log', async () => {
    const live = new LiveRuns(inProcessClient(service));
    live.start();
    const spec = tinySpec({ train: { epochs: 200, batchSize: 16, learningRate: 0.01, patience: 0 } });
    const run = await service.call('runs.create', { datasetId, spec });
    if (!run.ok) throw new Error(run.error.message);
    const id = run.value.id;
    await until(() => live.get(id)?.progress !== null && live.get(id)?.progress !== undefined);
    await service.call('runs.stop', { id });
    await service.waitForRun(id);
    await until(() => live.get(id)?.logs.some((l) => l.message === 'status: stopped') ?? false);
    expect(live.get(id)!.progress).toBeNull();
    live.stop();

    // A reload: a new page state with nothing heard live reads the stored log.
    const reloaded = new LiveRuns(inProcessClient(service));
    await reloaded.loadLog(id);
    const messages = reloaded.get(id)!.logs.map((l) => l.message);
    expect(messages.some((m) => m.startsWith('start-up: data preparation'))).toBe(true);
    expect(messages.some((m) => m.startsWith('start-up: total'))).toBe(true);
    expect(messages.some((m) => m.startsWith('training lstm'))).toBe(true);
  }, 120_000);

  it('a finished run shows its last epoch and test metrics with the status, not a second later', async () => {
    const app = new AppState(inProcessClient(service));
    await app.start();
    const other = openDb(service.dbPath);
    try {
      const id = runsDb.insertRun(other, {
        name: 'elsewhere',
        datasetId,
        spec: JSON.stringify(tinySpec()),
        seed: 1,
        params: {},
      });
      runsDb.markStarted(other, id, { pid: 1, started: 0, backend: 'cpu', device: 'cpu', impl: 'x', paramCount: 1 });
      await until(() => app.runs.find((r) => r.id === id)?.status === 'running');
      // An epoch (the app schedules its list refresh a second later), then the end in one transaction.
      logEpoch(other, id, 1, 10, { loss: 0.5, val_loss: 0.6 }, 1);
      await sleep(150);
      other.transaction(() => {
        logEpoch(other, id, 2, 20, { loss: 0.4, val_loss: 0.5 }, 2);
        runsDb.setTestMetrics(other, id, { 'test.rmse': 0.3 }, { seasonHow: null, notes: [] });
        runsDb.finishRun(other, id, 'completed');
      })();
      await until(() => app.runs.find((r) => r.id === id)?.status === 'completed', 5000);
      await sleep(300); // well under the app's one-second refresh after an epoch
      const row = app.runs.find((r) => r.id === id)!;
      expect(row.epochsDone).toBe(2);
      expect(row.test['test.rmse']).toBe(0.3);
    } finally {
      other.close();
      app.stop();
    }
  });
});
