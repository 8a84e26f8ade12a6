// SIGKILL of the host (the CLI `train` command) while its trainer runs. The trainer, a child of the
// CLI, loses its IPC channel: it used to die on `write EPIPE` (or train on, orphaned, to the end).
// It must notice, drop the epoch in progress, keep what was committed and exit with the run
// `interrupted`, so `resume` continues it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { sineCsv, tempDir } from '../helpers.js';

const t = tempDir('rnnwb-hostkill-');
const dbPath = join(t.dir, 'host.db');
afterAll(() => t.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The CLI as a real process (the bin, from the TypeScript sources); stdout and stderr captured. */
function cli(...args: string[]) {
  const child = spawn(process.execPath, ['bin/rnn-workbench.js', ...args, '--db', dbPath], {
    env: { ...process.env, RNN_WORKBENCH_SOURCE: '1', RNN_WORKBENCH_GPU: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  // The trainer inherits the CLI's stdout and stderr: the pipes close only once it has exited too.
  const closed = new Promise<void>((resolve) => {
    let open = 2;
    const one = () => void (--open === 0 && resolve());
    child.stdout.on('close', one);
    child.stderr.on('close', one);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, closed, exited };
}

describe('host killed while its trainer runs', () => {
  it(
    'the trainer exits cleanly, leaving the run interrupted with whole epochs, and resume finishes it',
    { timeout: 300_000 },
    async () => {
      const svc = createService({ dbPath });
      const ds = await svc.call('datasets.import', { path: sineCsv(t.dir), name: 'sine' });
      await svc.close();
      expect(ds.ok).toBe(true);

      // 300 epochs: the kill 150 ms after the first commit must find the trainer still training (with the
      // whole step in wasm, 20 epochs of this small model were over before it).
      const epochs = 300;
      const host = cli(
        'train',
        '--dataset',
        'sine',
        '--set',
        'target=value',
        '--set',
        'window.lookback=12',
        '--set',
        'model.layers.0.units=8',
        '--set',
        `train.epochs=${epochs}`,
        '--set',
        'train.batchSize=16',
        '--set',
        'train.patience=0',
      );
      const raw = new Database(dbPath, { readonly: true });
      const epochsDone = (id: number) =>
        (
          raw.prepare(`SELECT MAX(epoch) AS e FROM metrics WHERE run_id = ? AND key = 'loss'`).get(id) as {
            e: number | null;
          }
        ).e ?? 0;
      const run = await until('a committed epoch', () => {
        const r = raw.prepare(`SELECT id, worker_pid FROM runs ORDER BY id DESC LIMIT 1`).get() as
          { id: number; worker_pid: number | null } | undefined;
        return r && r.worker_pid && epochsDone(r.id) >= 1 ? { id: r.id, pid: r.worker_pid } : null;
      });
      // Mid-epoch, not at a commit: wait a little past the first commit.
      await sleep(150);
      host.child.kill('SIGKILL');
      await host.exited;
      await until('the trainer to exit', () => !alive(run.pid), 60_000);
      await host.closed;

      const after = raw.prepare(`SELECT status, error, worker_pid FROM runs WHERE id = ?`).get(run.id) as {
        status: string;
        error: string | null;
        worker_pid: number | null;
      };
      expect(host.output()).not.toMatch(/EPIPE|Uncaught|Error:/);
      expect(after.status).toBe('interrupted');
      expect(after.worker_pid).toBeNull();
      const rows = raw
        .prepare(
          `SELECT epoch, COUNT(*) AS n FROM metrics WHERE run_id = ? AND key = 'loss' GROUP BY epoch ORDER BY epoch`,
        )
        .all(run.id) as { epoch: number; n: number }[];
      const done = rows.length;
      expect(done).toBeGreaterThanOrEqual(1);
      expect(done).toBeLessThan(epochs);
      expect(rows).toEqual(rows.map((_, i) => ({ epoch: i + 1, n: 1 })));
      const last = raw.prepare(`SELECT epoch FROM checkpoints WHERE run_id = ? AND kind = 'last'`).get(run.id) as {
        epoch: number;
      };
      expect(last.epoch).toBe(done);

      const resumed = cli('resume', String(run.id));
      expect(await resumed.exited).toBe(0);
      await resumed.closed;
      expect(resumed.output()).toMatch(new RegExp(`resumes from epoch ${done}`));
      const final = raw.prepare(`SELECT status FROM runs WHERE id = ?`).get(run.id) as { status: string };
      expect(final.status).toBe('completed');
      const all = raw
        .prepare(
          `SELECT epoch, COUNT(*) AS n FROM metrics WHERE run_id = ? AND key = 'loss' GROUP BY epoch ORDER BY epoch`,
        )
        .all(run.id);
      expect(all).toEqual(Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, n: 1 })));
      raw.close();
    },
  );
});
