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
  /** A warm trainer: the process and its imports were ready before the run (core/warm-launcher.ts). */
  warm?: boolean;
  /**
   * Forked by the CLI as its `train` command started (core/cli/early-trainer.ts): `jobAt` then
   * also holds the wait for the CLI to create the run; `loadedAt`: when Node, the trainer and
   * TF.js were loaded (ms from the process's start).
   */
  early?: { loadedAt: number };
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
    if (marks?.early) {
      this.add(
        'process start',
        marks.jobAt,
        `forked as the CLI command started: Node, the trainer and TF.js were loaded at ${fmt(marks.early.loadedAt)}, while the CLI loaded, opened the database and created the run`,
        marks.jobCpu,
      );
      this.add('TF.js and trainer modules load', marks.importMs, 'what was left of it', marks.importCpu);
    } else if (marks) {
      const warm = marks.warm === true;
      this.add('process start', marks.jobAt, warm ? 'a warm trainer, started before the run' : '', marks.jobCpu);
      this.add('TF.js and trainer modules load', marks.importMs, warm ? 'what was left of it' : '', marks.importCpu);
    }
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
