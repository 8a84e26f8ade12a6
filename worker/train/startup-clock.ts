// Where a trainer's start-up time goes (issue 14 bug 7, issue 15 item 4): each step from the
// process's start to the first finished batch, timed and written to the run log as it ends, so a
// user waiting on a large run sees what it is doing, and the bench (test/bench/startup.ts) reads
// the same lines back.
import { performance } from 'node:perf_hooks';

/** Marks taken in worker/main.ts before the trainer's modules exist. */
export interface StartupMarks {
  /** ms from the process's start (performance's time origin) to the job message. */
  jobAt: number;
  /** ms the trainer's modules (TF.js included) took to import (after the job arrived). */
  importMs: number;
  /** CPU ms this process used up to the job, and for the import. */
  jobCpu?: number;
  importCpu?: number;
  /**
   * When the job could start, its modules loaded (ms from the process's start; CPU used by then):
   * the first step after these marks counts from here, so nothing between them (opening the
   * database, the first log line) goes unaccounted.
   */
  readyAt?: number;
  readyCpu?: number;
  /** A warm trainer: the process and its imports were ready before the run (core/warm-launcher.ts). */
  warm?: boolean;
  /**
   * Forked by the CLI as its `train` command started (core/cli/early-trainer.ts), before its run
   * existed: `bootAt`, when worker/main.ts's body ran (Node's own start); `loadedAt`, when the
   * kernel threads were started and the trainer and TF.js loaded (ms from the process's start,
   * with the CPU used by then). `jobAt` says when the run reached it, during the load or after.
   */
  early?: { bootAt: number; bootCpu: number; loadedAt: number; loadedCpu: number };
}

/** The prefix of every start-up line in the run log. */
export const STARTUP_PREFIX = 'start-up: ';

/** CPU time this process has used (user + system), ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export class StartupClock {
  readonly steps: { name: string; ms: number; cpuMs?: number }[] = [];
  private last = performance.now();
  private lastCpu = cpuMs();

  constructor(
    private readonly log: (message: string) => void,
    marks?: StartupMarks,
  ) {
    if (marks?.early) this.early(marks, marks.early);
    else if (marks) {
      const warm = marks.warm === true;
      this.add('process start', marks.jobAt, warm ? 'a warm trainer, started before the run' : '', marks.jobCpu);
      this.add('TF.js and trainer modules load', marks.importMs, warm ? 'what was left of it' : '', marks.importCpu);
    }
    if (marks?.readyAt !== undefined) this.last = marks.readyAt;
    if (marks?.readyCpu !== undefined) this.lastCpu = marks.readyCpu;
  }

  /**
   * An early trainer's steps: Node's start, then its load (kernel threads, trainer, TF.js) while the
   * CLI loaded, opened the database and created the run, then the wait for the run if the load
   * was done first. Together they span the process's start to the moment the run could begin.
   */
  private early(marks: StartupMarks, e: NonNullable<StartupMarks['early']>): void {
    const ready = marks.readyAt ?? Math.max(marks.jobAt, e.loadedAt);
    this.add('process start', e.bootAt, 'Node; forked as the CLI command started, before its run existed', e.bootCpu);
    const waited = marks.jobAt >= e.loadedAt;
    // The run came during the load: the load ends when the run could start (a few µs after it).
    const loadEnd = waited ? e.loadedAt : ready;
    const reached = waited
      ? 'while the CLI loaded, opened the database and created the run'
      : `the run reached it at ${fmt(marks.jobAt)}, during the load`;
    this.add(
      'TF.js and trainer modules load',
      loadEnd - e.bootAt,
      `kernel threads started first; ${reached}`,
      e.loadedCpu - e.bootCpu,
    );
    if (waited)
      this.add(
        'waiting for the run',
        ready - loadEnd,
        'loaded, idle until the CLI created it',
        marks.readyCpu !== undefined ? marks.readyCpu - e.loadedCpu : undefined,
      );
  }

  /** Records a step that ended now (since the previous one); `detail` goes into its log line. */
  step(name: string, detail = ''): void {
    // CPU time beside the wall time: on a busy machine the wall time mostly says how long the
    // trainer waited for a core, the CPU time what the step itself costs.
    const now = performance.now();
    const cpu = cpuMs();
    this.add(name, now - this.last, detail, cpu - this.lastCpu);
    this.last = now;
    this.lastCpu = cpu;
  }

  /** The whole start-up, one line: `start-up total 812 ms: process start 301, ...`. */
  summary(): string {
    const total = this.steps.reduce((s, x) => s + x.ms, 0);
    return `${STARTUP_PREFIX}total ${fmt(total)} to the first batch (${this.steps.map((s) => `${s.name} ${fmt(s.ms)}`).join(', ')})`;
  }

  private add(name: string, ms: number, detail = '', cpu?: number): void {
    this.steps.push({ name, ms, ...(cpu !== undefined ? { cpuMs: cpu } : {}) });
    const cpuPart = cpu !== undefined ? `, cpu ${fmt(cpu)}` : '';
    this.log(`${STARTUP_PREFIX}${name} ${fmt(ms)}${cpuPart}${detail ? ` (${detail})` : ''}`);
  }
}

const fmt = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
