// A stop in the middle of an epoch used to commit that partial epoch as a full one (its metrics,
// a `last` and possibly the `best` checkpoint), and resume then skipped the rest of it. A partial
// epoch is discarded: the run keeps its last full epoch, and stop + resume trains exactly what an
// uninterrupted run of the same seed trains (the kill -9 resume test in test/core/service.test.ts,
// here compared with an uninterrupted run). Equal up to float32 rounding: any resume from a
// checkpoint, kill -9 included, restores Adam's bias corrections as beta^t where the uninterrupted
// run multiplies them up step by step, a difference in the 7th significant digit.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMap } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { ok, sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir('rnnwb-stopmid-');
const dbPath = join(t.dir, 'stop.db');
let svc: Service;
let datasetId: number;

function waitFor<E extends keyof EventMap>(event: E, pred: (p: EventMap[E]) => boolean): Promise<EventMap[E]> {
  return new Promise((resolve) => {
    const off = svc.on(event, (p) => {
      if (pred(p)) {
        off();
        resolve(p);
      }
    });
  });
}

/** Fails with `what` instead of hanging until the test's timeout. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  );
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  process.env.RNN_WORKBENCH_GPU = 'off';
  // 2 ms after each of about 700 batches: an epoch lasts at least 1.4 s whatever the kernels'
  // speed, so the stop sent at epoch 1's event lands inside epoch 2 (with the faster kernels of
  // 2026-12-02, CI saw epoch 2 of 8,000 rows end before the stop arrived).
  process.env.RNN_WORKBENCH_TEST_BATCH_DELAY_MS = '2';
  svc = createService({ dbPath, stopGraceSeconds: 30 });
  datasetId = (await ok(svc.call('datasets.import', { path: sineCsv(t.dir, 8000), name: 'sine' }))).id;
});

afterAll(async () => {
  delete process.env.RNN_WORKBENCH_TEST_BATCH_DELAY_MS;
  await svc.close();
  t.cleanup();
});

// Many small batches per epoch (about 700), so a stop lands well inside one: with 3,000 rows a
// quiet CI machine finished epoch 2 before the stop that followed epoch 1's event arrived.
const spec = tinySpec({ train: { epochs: 3, batchSize: 8, learningRate: 0.01, patience: 0 } });

function lastWeights(raw: Database.Database, runId: number): Float32Array {
  const blob = (
    raw.prepare(`SELECT weights FROM checkpoints WHERE run_id = ? AND kind = 'last'`).get(runId) as { weights: Buffer }
  ).weights;
  return new Float32Array(Uint8Array.prototype.slice.call(blob).buffer);
}

/** The largest difference relative to the larger magnitude (floored at `floor` for values near 0). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(a[i]!), Math.abs(b[i]!), floor));
  return worst;
}

describe('stop in the middle of an epoch', () => {
  it('keeps only whole epochs, and resume reproduces an uninterrupted run', { timeout: 300_000 }, async () => {
    const raw = new Database(dbPath, { readonly: true });
    const logs: string[] = [];
    const offLog = svc.on('run:log', (l) => void logs.push(l.message));
    const run = await ok(svc.call('runs.create', { datasetId, spec }));
    // Epoch 1 is committed and announced; the trainer goes straight on into epoch 2 (hundreds of
    // batches), so the stop lands a few batches into it.
    await within(
      120_000,
      'epoch 1',
      waitFor('run:epoch', (e) => e.runId === run.id && e.epoch === 1),
    );
    await ok(svc.call('runs.stop', { id: run.id }));
    await within(60_000, 'the stopped run to end', svc.waitForRun(run.id));
    offLog();
    const stopped = await ok(svc.call('runs.get', { id: run.id }));
    expect(stopped.status).toBe('stopped');
    // Epoch 2 was partial: nothing of it is recorded.
    const loss = await ok(svc.call('runs.metrics', { ids: [run.id], keys: ['loss'] }));
    expect(loss.map((m) => m.epoch)).toEqual([1]);
    const cps = raw.prepare(`SELECT kind, epoch FROM checkpoints WHERE run_id = ? ORDER BY kind`).all(run.id);
    expect(cps).toEqual([
      { kind: 'best', epoch: 1 },
      { kind: 'last', epoch: 1 },
    ]);
    expect(stopped.epochsDone).toBe(1);
    // The trainer says what it dropped.
    const partial = logs.map((m) => /stopped after (\d+) of (\d+) batches of epoch 2/.exec(m)).find((m) => m);
    expect(partial, logs.join('\n')).toBeTruthy();
    expect(Number(partial![1])).toBeLessThan(Number(partial![2]));

    await ok(svc.call('runs.resume', { id: run.id }));
    await within(120_000, 'the resumed run', svc.waitForRun(run.id));
    expect((await ok(svc.call('runs.get', { id: run.id }))).status).toBe('completed');

    const straight = await ok(svc.call('runs.create', { datasetId, spec }));
    await within(120_000, 'the uninterrupted run', svc.waitForRun(straight.id));
    const keys = ['loss', 'val_loss'];
    const resumed = await ok(svc.call('runs.metrics', { ids: [run.id], keys }));
    const reference = await ok(svc.call('runs.metrics', { ids: [straight.id], keys }));
    const rows = (ms: typeof resumed) => ms.map((m) => [m.key, m.epoch, m.step]);
    expect(rows(resumed)).toEqual(rows(reference));
    expect(resumed[0]!.value).toBe(reference[0]!.value); // epoch 1: trained before the stop, bit for bit
    expect(
      maxRelDiff(
        resumed.map((m) => m.value),
        reference.map((m) => m.value),
      ),
    ).toBeLessThan(1e-5);
    // Weights: relative to their typical size (a weight near 0 has no meaningful relative error).
    const [wa, wb] = [lastWeights(raw, run.id), lastWeights(raw, straight.id)];
    const scale = Math.sqrt(wa.reduce((s, w) => s + w * w, 0) / wa.length);
    expect(maxRelDiff(wa, wb, scale)).toBeLessThan(1e-4);
    raw.close();
  });
});
