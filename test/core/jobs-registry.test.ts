// The job registry's one stop-with-grace, against real child processes: one that exits when told
// to stop, one that ignores the stop and is killed once the grace period is over.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { JobRegistry } from '../../core/jobs-registry.js';
import type { Job, JobHandle, JobLauncher, WorkerToHost } from '../../core/jobs.js';

// A worker stand-in: answers `start` with `done`, and on `stop` exits unless told to ignore it.
const script = `
process.on('message', (m) => {
  if (m.type === 'start' && m.job.kind !== 'train') process.send({ type: 'done', result: { ok: m.job.path } });
  if (m.type === 'stop' && process.argv[1] !== 'stubborn') process.exit(0);
});
setInterval(() => {}, 1000);
`;

function launcher(mode: 'polite' | 'stubborn'): JobLauncher & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    start(job: Job): JobHandle {
      // `node -e script mode`: process.argv[1] is the mode.
      const child = spawn(process.execPath, ['-e', script, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const handle: JobHandle = {
        send: (msg) => {
          sent.push(msg);
          if (child.connected) child.send(msg);
        },
        kill: () => child.kill('SIGKILL'),
        onMessage: (l) => child.on('message', (m) => l(m as WorkerToHost)),
        onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
      };
      handle.send({ type: 'start', job });
      return handle;
    },
  };
}

const train = (runId: number): Job => ({ kind: 'train', dbPath: ':memory:', runId, resume: false });

describe('JobRegistry', { timeout: 20_000 }, () => {
  it('stops a job that obeys the stop message without killing it, and forgets it', async () => {
    const jobs = new JobRegistry(launcher('polite'), 10_000);
    const exits: Array<[number | null, string | null]> = [];
    const t = jobs.start(train(1), { onExit: (code, signal) => exits.push([code, signal]) });
    expect(jobs.trainer(1)).toBe(t);
    const started = Date.now();
    await jobs.stop(t);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exits).toEqual([[0, null]]);
    expect(jobs.trainer(1)).toBeUndefined();
  });

  it('kills a job that ignores the stop once the grace period is over', async () => {
    const l = launcher('stubborn');
    const jobs = new JobRegistry(l, 300);
    const exits: Array<[number | null, string | null]> = [];
    const t = jobs.start(train(2), { onExit: (code, signal) => exits.push([code, signal]) });
    await new Promise((r) => setTimeout(r, 200));
    await jobs.stop(t);
    expect(l.sent).toContainEqual({ type: 'stop' });
    expect(exits).toEqual([[null, 'SIGKILL']]);
  });

  it('stopAll stops every job it started, short jobs included', async () => {
    const jobs = new JobRegistry(launcher('polite'), 10_000);
    const result = await jobs.complete<{ ok: string }>({ kind: 'import', dbPath: ':memory:', path: 'a.csv' });
    expect(result).toEqual({ ok: 'a.csv' });
    const a = jobs.start(train(3));
    const b = jobs.start({ kind: 'export', dbPath: ':memory:', runId: 3, checkpoint: 'best', outDir: '/tmp' });
    await jobs.stopAll();
    await Promise.all([a.exited, b.exited]);
    expect(jobs.trainer(3)).toBeUndefined();
  });
});
