// The cores this process's kernels may use when several trainers run on one machine.
//
// Two `train` commands, the desktop app beside a CLI study, or a study's trials each start kernel
// threads for every core. Together they would run more threads than cores: a thread that waits for
// a descheduled partner holds the whole call back. So every process that runs the kernels keeps a
// heartbeat file in a per-user folder of the temp directory (named by its start time and pid;
// touched at most once a second, at a kernel call), and takes a fair share of the cores among the
// processes whose file is fresh: cores / n, the remainder to the earliest started. A trainer that
// stops calling the kernels (a warm trainer between runs, one that ended or was killed) drops out
// after FRESH_MS, and a dead process's file is removed by the next reader. The share only caps the
// threads per call: the results do not depend on it (wasm.ts), so it can change during a run.
// Any file-system error gives the whole machine (a trainer never fails for this).
// RNN_KERNEL_SHARE=0 turns it off (benchmarks of the old behaviour).
import { mkdirSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A heartbeat older than this is not counted: that process is not training now. */
export const FRESH_MS = 3000;
/** The heartbeat and the count are refreshed at most this often. */
const REFRESH_MS = 1000;

export interface Peer {
  started: number;
  pid: number;
}

/** This process's share of `cores` among `peers` (the other live processes) and itself. */
export function fairShare(cores: number, self: Peer, peers: Peer[]): number {
  const n = peers.length + 1;
  const rank = peers.filter((p) => p.started < self.started || (p.started === self.started && p.pid < self.pid)).length;
  return Math.max(1, Math.floor(cores / n) + (rank < cores % n ? 1 : 0));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

export class CoreShare {
  private readonly self: Peer;
  private readonly file: string;
  private registered = false;
  private checkedAt = -Infinity;
  private share: number;

  constructor(
    private readonly dir: string,
    private readonly cores: number,
    pid = process.pid,
    started = Date.now(),
  ) {
    this.self = { started, pid };
    this.file = join(dir, `${started}-${pid}`);
    this.share = cores;
  }

  /** The cores this process may use now (refreshed at most once a second). */
  get(now = Date.now()): number {
    if (now - this.checkedAt < REFRESH_MS) return this.share;
    this.checkedAt = now;
    try {
      this.beat(now);
      this.share = fairShare(this.cores, this.self, this.peers(now));
    } catch {
      this.share = this.cores;
    }
    return this.share;
  }

  /** Removes this process's heartbeat (at exit; tests). */
  leave(): void {
    if (!this.registered) return;
    this.registered = false;
    try {
      unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }

  private beat(now: number): void {
    const t = new Date(now);
    if (this.registered) {
      try {
        utimesSync(this.file, t, t);
        return;
      } catch {
        /* removed under us: write it again */
      }
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file, '');
    utimesSync(this.file, t, t);
    this.registered = true;
  }

  private peers(now: number): Peer[] {
    const out: Peer[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = /^(\d+)-(\d+)$/.exec(name);
      if (!m) continue;
      const p = { started: Number(m[1]), pid: Number(m[2]) };
      if (p.pid === this.self.pid && p.started === this.self.started) continue;
      let mtime: number;
      try {
        mtime = statSync(join(this.dir, name)).mtimeMs;
      } catch {
        continue; // removed meanwhile
      }
      if (now - mtime <= FRESH_MS && alive(p.pid)) out.push(p);
      else if (!alive(p.pid)) {
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          /* another reader removed it */
        }
      }
    }
    return out;
  }
}

/** The per-user folder of heartbeats. */
export function shareDir(): string {
  const user = process.getuid?.() ?? process.env.USERNAME ?? 'user';
  return join(tmpdir(), `rnn-workbench-kernels-${user}`);
}

let processShare: CoreShare | null = null;

/** This process's share of the machine's cores (the whole machine when RNN_KERNEL_SHARE=0). */
export function coreShare(): number {
  if (process.env.RNN_KERNEL_SHARE === '0') return availableParallelism();
  if (!processShare) {
    // The cores are read once: this runs at every kernel call, the share itself at most once a second.
    const s = new CoreShare(shareDir(), availableParallelism());
    processShare = s;
    process.once('exit', () => s.leave());
  }
  return processShare.get();
}
