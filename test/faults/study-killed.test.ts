// SIGKILL of the host driving a study (the CLI `study create`), mid-trial. Its trainer notices the
// lost host and leaves the trial interrupted; the study row still says running with a dead host.
// The next start marks it interrupted, and `study resume` finishes it: the interrupted trial
// continues from its checkpoint, the trials not yet created are created, none twice, and every
// configuration is the one the dead host would have sampled.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { SearchSpace, type StudyRow } from '../../core/contract.js';
import { randomConfig } from '../../core/study/strategy.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir('rnnwb-studykill-');
const dbPath = join(t.dir, 'study.db');
afterAll(() => t.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 180_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The CLI as a real process (the bin, from the TypeScript sources); resolves with its output once it and its trainers are gone. */
function cli(...args: string[]) {
  const child = spawn(process.execPath, ['bin/rnn-workbench.js', ...args, '--db', dbPath], {
    env: { ...process.env, RNN_WORKBENCH_SOURCE: '1', RNN_WORKBENCH_GPU: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Trainers inherit the CLI's pipes: they close only once every trainer has exited too.
  const closed = new Promise<void>((resolve) => {
    let open = 2;
    const one = () => void (--open === 0 && resolve());
    child.stdout.on('close', one);
    child.stderr.on('close', one);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, closed, exited };
}

const TRIALS = 4;
const EPOCHS = 8;
const space = { 'model.cell': ['lstm', 'gru'], 'train.learningRate': { float: [0.003, 0.03], log: true } };

describe('host killed mid-study', () => {
  it('study resume completes the planned trials: none lost, none duplicated', { timeout: 600_000 }, async () => {
    const svc = createService({ dbPath });
    // 3,000 rows: a trial must still be training when the test (polling every 100 ms) kills the host;
    // with the whole step in wasm, 300 rows trained all 8 epochs before the trainer saw the host go.
    const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 3000), name: 'sine' });
    await svc.close();
    expect(ds.ok).toBe(true);
    const file = join(t.dir, 'study.json');
    const base = tinySpec({ train: { epochs: EPOCHS, batchSize: 32, learningRate: 0.01, patience: 0 } });
    writeFileSync(file, JSON.stringify({ base, space, strategy: 'random', trials: TRIALS, seed: 5, concurrency: 1 }));

    const host = cli('study', 'create', file, '--dataset', 'sine', '--json');
    const db = new Database(dbPath, { readonly: true });
    db.pragma('busy_timeout = 5000');
    // Kill once the second trial has committed an epoch (the first has completed).
    const victim = await until('trial 2 training', () => {
      const r = db
        .prepare(
          `SELECT r.id FROM runs r WHERE r.study_id = 1 AND r.trial = 1 AND r.status = 'running'
           AND EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.id AND m.key = 'loss')`,
        )
        .get() as { id: number } | undefined;
      return r?.id;
    });
    host.child.kill('SIGKILL');
    await host.closed;
    const status = () => db.prepare(`SELECT status FROM runs WHERE id = ?`).get(victim) as { status: string };
    await until('the trainer to leave its trial', () => status().status !== 'running');
    expect(status().status).toBe('interrupted');
    expect(db.prepare(`SELECT state FROM studies WHERE id = 1`).get()).toEqual({ state: 'running' });
    const epochsBefore = (
      db.prepare(`SELECT MAX(epoch) AS e FROM metrics WHERE run_id = ? AND key = 'loss'`).get(victim) as { e: number }
    ).e;
    expect(epochsBefore).toBeLessThan(EPOCHS);

    // The next start sees the dead host: the study is interrupted, and says so.
    const list = cli('study', 'list', '--json');
    await list.closed;
    expect((JSON.parse(list.out()) as StudyRow[])[0]!.state).toBe('interrupted');

    const resumed = cli('study', 'resume', '1', '--json');
    expect(await resumed.exited).toBe(0);
    await resumed.closed;
    const s = JSON.parse(resumed.out()) as StudyRow;
    expect(s.state).toBe('completed');
    expect(s.trials.map((x) => [x.trial, x.status])).toEqual(
      Array.from({ length: TRIALS }, (_, i) => [i, 'completed']),
    );
    // No duplicate: one run per trial, and no other run in the database.
    expect(new Set(s.trials.map((x) => x.runId)).size).toBe(TRIALS);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM runs`).get()).toEqual({ n: TRIALS });
    // The interrupted trial continued from its checkpoint: every epoch once.
    const epochs = db.prepare(`SELECT epoch FROM metrics WHERE run_id = ? AND key = 'loss' ORDER BY epoch`).all(victim);
    expect(epochs.map((e) => (e as { epoch: number }).epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    // Every configuration is the one the dead host would have sampled.
    const parsed = SearchSpace.parse(space);
    for (const x of s.trials) expect(x.params).toEqual(randomConfig(parsed, 5, x.trial));
    db.close();
  });
});
