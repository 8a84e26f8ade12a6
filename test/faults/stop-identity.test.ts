// Issue 10, data safety 3: `stop` signalled whatever process had the recorded worker_pid (a
// `sleep` that got the pid died), and a run whose trainer was gone stayed `running` as long as
// something held its pid. Real processes: a real `sleep 60` holds the recorded pid; the row says
// the trainer was another process (another start time, or no start time and a stale heartbeat).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { flattenSpec, parseSpec } from '../../core/contract.js';
import { createService } from '../../core/service.js';
import { hasProcStartTimes, processStartTime } from '../../core/trainer-identity.js';
import { openDb } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  t.cleanup();
});

function sleeper(): Promise<{ child: ChildProcess; exited: Promise<string | null> }> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve({ child, exited }));
    child.once('error', reject);
  });
}

/** A database with one run marked `running` by a trainer that the row identifies as given. */
async function runningRow(name: string, trainer: { pid: number; started: number | null; heartbeat: number }) {
  const dbPath = join(t.dir, `${name}.db`);
  const svc = createService({ dbPath });
  const imp = await svc.call('datasets.import', { path: sineCsv(t.dir, 200, `${name}.csv`) });
  await svc.close();
  if (!imp.ok) throw new Error(imp.error.message);
  const spec = parseSpec(tinySpec());
  const db = openDb(dbPath);
  const runId = runsDb.insertRun(db, {
    name,
    datasetId: imp.value.id,
    spec: JSON.stringify(spec),
    seed: spec.train.seed,
    params: flattenSpec(spec),
  });
  db.prepare(
    `UPDATE runs SET status = 'running', started_at = ?, worker_pid = ?, worker_started = ?, heartbeat = ? WHERE id = ?`,
  ).run(new Date().toISOString(), trainer.pid, trainer.started, trainer.heartbeat, runId);
  db.close();
  return { dbPath, runId };
}

const settle = () => new Promise((r) => setTimeout(r, 500));
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

describe('stop never signals a process that only shares the trainer pid', () => {
  it.skipIf(!hasProcStartTimes())(
    'a sleep holding the pid, started at another time than the trainer, survives stop; the run is interrupted',
    async () => {
      const { child } = await sleeper();
      const realStart = processStartTime(child.pid!)!;
      // Fresh heartbeat: only the start time tells the sleep from the trainer.
      const { dbPath, runId } = await runningRow('reused', {
        pid: child.pid!,
        started: realStart - 1000,
        heartbeat: Date.now() + 3_600_000,
      });
      const svc = createService({ dbPath });
      try {
        const r = await svc.call('runs.stop', { id: runId });
        await settle();
        expect(alive(child), 'stop killed the sleep that holds the recorded pid').toBe(true);
        expect(r.ok && r.value.status).toBe('interrupted');
        expect(r.ok && r.value.error).toMatch(/trainer process \(pid \d+\) ended/);
      } finally {
        await svc.close();
      }
    },
  );

  it('a sleep holding the pid, with no start time recorded and a stale heartbeat, survives stop', async () => {
    const { child } = await sleeper();
    const { dbPath, runId } = await runningRow('stale-stop', {
      pid: child.pid!,
      started: null,
      heartbeat: Date.now() - 60_000,
    });
    const svc = createService({ dbPath });
    // The service start itself already finds the trainer gone; stop then has nothing to signal.
    try {
      const r = await svc.call('runs.stop', { id: runId });
      await settle();
      expect(alive(child), 'stop killed the sleep that holds the recorded pid').toBe(true);
      expect(r.ok && r.value.status).toBe('interrupted');
    } finally {
      await svc.close();
    }
  });

  it.skipIf(!hasProcStartTimes())('the process the row does name (pid and start time) is signalled', async () => {
    const { child, exited } = await sleeper();
    const { dbPath, runId } = await runningRow('same', {
      pid: child.pid!,
      started: processStartTime(child.pid!),
      heartbeat: Date.now() - 60_000,
    });
    const svc = createService({ dbPath });
    try {
      const r = await svc.call('runs.stop', { id: runId });
      expect(r.ok && r.value.status).toBe('running'); // the trainer saves and ends the run itself
      expect(await exited).toBe('SIGTERM');
    } finally {
      await svc.close();
    }
  });
});

describe('a run whose trainer is gone is interrupted at service start, never stuck as running', () => {
  it('stale heartbeat, pid held by an unrelated live process, no start time recorded', async () => {
    const { child } = await sleeper();
    const { dbPath, runId } = await runningRow('stale-start', {
      pid: child.pid!,
      started: null,
      heartbeat: Date.now() - 60_000,
    });
    const svc = createService({ dbPath });
    const r = await svc.call('runs.get', { id: runId });
    await svc.close();
    expect(r.ok && r.value.status).toBe('interrupted');
    expect(alive(child)).toBe(true);
  });

  it.skipIf(!hasProcStartTimes())('pid held by a process started at another time than the trainer', async () => {
    const { child } = await sleeper();
    const { dbPath, runId } = await runningRow('reused-start', {
      pid: child.pid!,
      started: processStartTime(child.pid!)! + 1,
      heartbeat: Date.now(),
    });
    const svc = createService({ dbPath });
    const r = await svc.call('runs.get', { id: runId });
    await svc.close();
    expect(r.ok && r.value.status).toBe('interrupted');
  });

  it.skipIf(!hasProcStartTimes())(
    'a live trainer (pid and start time match) stays running even between heartbeats',
    async () => {
      const { child } = await sleeper();
      const { dbPath, runId } = await runningRow('live', {
        pid: child.pid!,
        started: processStartTime(child.pid!),
        heartbeat: Date.now() - 60_000,
      });
      const svc = createService({ dbPath });
      const r = await svc.call('runs.get', { id: runId });
      await svc.close();
      expect(r.ok && r.value.status).toBe('running');
    },
  );
});

describe('processStartTime', () => {
  it.skipIf(!hasProcStartTimes())(
    'reads field 22 of /proc/<pid>/stat, also when the command name holds spaces and parentheses',
    async () => {
      const { child } = await sleeper();
      expect(processStartTime(child.pid!)).toBeGreaterThan(0);
      expect(processStartTime(child.pid!)).toBeGreaterThanOrEqual(processStartTime(process.pid)!);
      expect(processStartTime(2 ** 22 + 12345)).toBeNull();
    },
  );
});
