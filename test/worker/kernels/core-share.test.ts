// Trainers on one machine share its cores: each process that runs the kernels keeps a heartbeat
// file, and takes cores / n of them (the remainder to the earliest started); a stale heartbeat is
// not counted and a dead process's file is removed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreShare, FRESH_MS, fairShare } from '../../../worker/kernels/core-share.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wb-cores-'));
  dirs.push(d);
  return d;
}
/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('fairShare', () => {
  it('gives cores / n, the remainder to the earliest started, never less than one', () => {
    const me = { started: 200, pid: 5 };
    expect(fairShare(16, me, [])).toBe(16);
    expect(fairShare(16, me, [{ started: 100, pid: 9 }])).toBe(8);
    expect(fairShare(2, me, [{ started: 100, pid: 9 }])).toBe(1);
    // 7 cores, 3 trainers: 3, 2, 2 in start order (the same start time: the lower pid first).
    const peers = [
      { started: 100, pid: 9 },
      { started: 200, pid: 4 },
    ];
    expect(fairShare(7, me, peers)).toBe(2);
    expect(fairShare(7, { started: 50, pid: 1 }, peers)).toBe(3);
    expect(fairShare(2, me, [...peers, { started: 300, pid: 7 }])).toBe(1);
  });
});

describe('CoreShare', () => {
  it('counts fresh heartbeats of live processes, skips stale ones, removes dead ones, and leaves', () => {
    const d = dir();
    const now = Date.now();
    const s = new CoreShare(d, 8, process.pid, now);
    expect(s.get(now)).toBe(8);
    expect(readdirSync(d)).toEqual([`${now}-${process.pid}`]);

    // Another live trainer (the test runner's parent process stands for it), started earlier.
    const peer = join(d, `${now - 5000}-${process.ppid}`);
    writeFileSync(peer, '');
    expect(s.get(now)).toBe(8); // refreshed at most once a second
    expect(s.get(now + 1000)).toBe(4);
    // It stopped beating (a warm trainer between runs): not counted, not removed (it lives).
    const old = new Date(now - FRESH_MS - 1000);
    utimesSync(peer, old, old);
    expect(s.get(now + 2000)).toBe(8);
    expect(existsSync(peer)).toBe(true);
    // A dead process's heartbeat, fresh or not, is not counted and is removed.
    const dead = join(d, `${now - 100}-${deadPid()}`);
    writeFileSync(dead, '');
    expect(s.get(now + 3000)).toBe(8);
    expect(existsSync(dead)).toBe(false);

    s.leave();
    expect(readdirSync(d)).toEqual([peer.split('/').pop()]);
  });

  it('two processes on one folder see each other', () => {
    const d = dir();
    const s = new CoreShare(d, 2);
    expect(s.get()).toBe(2);
    // A second trainer: a real process with its own CoreShare, reporting its share.
    const src = `
      const { CoreShare } = await import(${JSON.stringify(new URL('../../../worker/kernels/core-share.ts', import.meta.url).href)});
      const s = new CoreShare(${JSON.stringify(d)}, 2);
      process.stdout.write(String(s.get()));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', src], { encoding: 'utf8' });
    expect(r.stdout, r.stderr).toBe('1'); // it started second: one core each
    s.leave();
  });

  it('a folder it cannot write gives the whole machine', () => {
    const d = dir();
    const blocked = join(d, 'file');
    writeFileSync(blocked, '');
    expect(new CoreShare(join(blocked, 'sub'), 6).get()).toBe(6);
  });
});
