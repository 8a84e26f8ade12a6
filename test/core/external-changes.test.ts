// Issue 14 bug 5: runs created or changed by other processes on the same SQLite file reach the UI.
// A host service with the watcher on, and (1) a second connection writing runs, metrics and log
// lines directly, (2) the real CLI `train` in another process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventMap, EventName } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { openDb, type DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { logEpoch } from '../../db/metrics.js';
import { appendLog } from '../../db/run-log.js';
import { sineCsv, tempDir, tinySpec, writeFile } from '../helpers.js';

const t = tempDir();
const dbPath = join(t.dir, 'watch.db');
let svc: Service;
let other: DB;
let datasetId: number;
const got: { event: EventName; payload: unknown }[] = [];

function waitFor<E extends EventName>(event: E, pred: (p: EventMap[E]) => boolean, ms = 60_000): Promise<EventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const off = svc.on(event, (p) => {
      if (pred(p)) {
        clearTimeout(timer);
        off();
        resolve(p);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  svc = createService({ dbPath, host: 'server', watchExternalMs: 50 });
  const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 400), name: 'sine' });
  if (!ds.ok) throw new Error(ds.error.message);
  datasetId = ds.value.id;
  for (const event of ['run:status', 'run:epoch', 'run:log', 'datasets:changed'] as const)
    svc.on(event, (payload) => got.push({ event, payload }));
  other = openDb(dbPath);
}, 60_000);

afterAll(async () => {
  other.close();
  await svc.close();
  t.cleanup();
});

describe('the host publishes what other processes write', () => {
  it('a run inserted, trained and logged by another connection arrives as run:status, run:epoch and run:log', async () => {
    const queued = waitFor('run:status', (p) => p.status === 'queued');
    const id = runsDb.insertRun(other, {
      name: 'from elsewhere',
      datasetId,
      spec: JSON.stringify(tinySpec()),
      seed: 1,
      params: {},
    });
    expect((await queued).runId).toBe(id);

    const running = waitFor('run:status', (p) => p.runId === id && p.status === 'running');
    runsDb.markStarted(other, id, {
      pid: 1,
      started: 0,
      backend: 'cpu',
      device: 'cpu',
      impl: 'x',
      paramCount: 1,
    });
    await running;

    const epoch = waitFor('run:epoch', (p) => p.runId === id);
    logEpoch(other, id, 1, 10, { loss: 0.5, val_loss: 0.6 }, 1.5);
    expect(await epoch).toMatchObject({ runId: id, epoch: 1, metrics: { loss: 0.5, val_loss: 0.6 }, wallTime: 1.5 });

    const line = waitFor('run:log', (p) => p.runId === id);
    appendLog(other, id, 'info', 'hello from another process');
    expect(await line).toMatchObject({ runId: id, level: 'info', message: 'hello from another process' });

    const done = waitFor('run:status', (p) => p.runId === id && p.status === 'completed');
    runsDb.finishRun(other, id, 'completed');
    await done;
  });

  it('a run elsewhere that commits epochs and finishes between two polls still publishes its epochs, then its status', async () => {
    const id = runsDb.insertRun(other, {
      name: 'quick elsewhere',
      datasetId,
      spec: JSON.stringify(tinySpec()),
      seed: 1,
      params: {},
    });
    await waitFor('run:status', (p) => p.runId === id && p.status === 'queued');
    const order: string[] = [];
    const offs = [
      svc.on('run:epoch', (p) => p.runId === id && order.push(`epoch ${p.epoch}`)),
      svc.on('run:status', (p) => p.runId === id && order.push(p.status)),
    ];
    const done = waitFor('run:status', (p) => p.runId === id && p.status === 'completed');
    // One transaction: the watcher sees it in a single poll (before the fix only the status came).
    other.transaction(() => {
      runsDb.markStarted(other, id, { pid: 1, started: 0, backend: 'cpu', device: 'cpu', impl: 'x', paramCount: 1 });
      logEpoch(other, id, 1, 10, { loss: 0.5, val_loss: 0.6 }, 1.5);
      logEpoch(other, id, 2, 20, { loss: 0.4, val_loss: 0.5 }, 3);
      runsDb.finishRun(other, id, 'completed');
    })();
    await done;
    offs.forEach((off) => off());
    expect(order).toEqual(['epoch 1', 'epoch 2', 'completed']);
  });

  it('publishes nothing while nothing changes, nor for its own writes', async () => {
    await sleep(200);
    got.length = 0;
    const list = await svc.call('runs.list', {});
    if (!list.ok) throw new Error(list.error.message);
    const upd = await svc.call('runs.update', { id: list.value[0]!.id, notes: 'edited here' });
    expect(upd.ok).toBe(true);
    await sleep(400);
    expect(got).toEqual([]);
  });

  it('a real CLI `train` in another process shows up live', async () => {
    const seen = waitFor('run:status', (p) => p.status === 'completed', 120_000);
    const epochs = waitFor('run:epoch', () => true, 120_000);
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'rnn-workbench.js');
    const spec = writeFile(
      t.dir,
      'spec.json',
      JSON.stringify(tinySpec({ train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 } })),
    );
    const cli = promisify(execFile)(
      process.execPath,
      [bin, 'train', '--dataset', String(datasetId), '--spec', spec, '--db', dbPath],
      { env: { ...process.env, RNN_WORKBENCH_SOURCE: '1', RNN_WORKBENCH_BACKEND: 'cpu' } },
    );
    const [done, epoch] = await Promise.all([seen, epochs, cli]);
    expect(epoch.runId).toBe(done.runId);
    // The CLI trainer's log lines were persisted and published too (issue 14 bug 7).
    expect(got.some((g) => g.event === 'run:log' && (g.payload as { runId: number }).runId === done.runId)).toBe(true);
    const log = await svc.call('runs.log', { id: done.runId });
    if (!log.ok) throw new Error(log.error.message);
    expect(log.value.map((l) => l.message).some((m) => m.startsWith('start-up: total'))).toBe(true);
    // Whole when its status is heard: both epochs and the test metrics.
    const row = await svc.call('runs.get', { id: done.runId });
    expect(row.ok && row.value.epochsDone === 2 && Object.keys(row.value.test).length > 0).toBe(true);
  }, 180_000);
});
