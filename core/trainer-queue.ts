// The queue in front of the trainers: at most `maxTrainers` (settings table) train at once on one
// database. A run waits here, queued, with its reason recorded on its row ("waiting: 1 of 1 trainer
// slots busy (run 7)") until a slot frees. Slots are counted across processes: this host's own
// trainers (the job registry knows them, loading ones included) plus runs another process trains
// whose trainer is confirmed alive (pid and start time, or a fresh heartbeat). A timer re-checks
// every heartbeat interval, so a slot freed by another process is noticed, and it beats the runs
// held here so another host does not take them for abandoned.
import * as runsDb from '../db/runs.js';
import type { DB } from '../db/open.js';
import type { JobRegistry } from './jobs-registry.js';
import type { Emit } from './handlers/context.js';
import { readSettings } from './handlers/settings.js';
import { trainerLiveness, vanishedMessage } from './trainer-identity.js';

interface Waiting {
  runId: number;
  resume: boolean;
  reason: string | null;
  left: () => void;
  leftPromise: Promise<void>;
}

export class TrainerQueue {
  private readonly waiting: Waiting[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: DB,
    private readonly jobs: JobRegistry,
    private readonly emit: Emit,
    private readonly launch: (runId: number, resume: boolean) => void,
  ) {
    this.timer = setInterval(() => this.tick(), runsDb.HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Queues a run (already `queued` in the database) and starts it now if a slot is free. */
  enqueue(runId: number, resume: boolean): void {
    let left!: () => void;
    const leftPromise = new Promise<void>((r) => (left = r));
    this.waiting.push({ runId, resume, reason: null, left, leftPromise });
    this.pump();
  }

  /** Takes a run out of the queue (stopped while waiting); false when it is not waiting here. */
  remove(runId: number): boolean {
    const i = this.waiting.findIndex((w) => w.runId === runId);
    if (i < 0) return false;
    this.waiting.splice(i, 1)[0]!.left();
    return true;
  }

  /** Resolves when the run has left this queue (its trainer started, or it was removed); at once if not here. */
  left(runId: number): Promise<void> {
    return this.waiting.find((w) => w.runId === runId)?.leftPromise ?? Promise.resolve();
  }

  /**
   * The run ids holding a slot: this host's trainers and live trainers of other processes. A run
   * another process marked running whose trainer is gone (see trainerLiveness) holds no slot: it
   * is marked interrupted here, never left `running`.
   */
  busy(): number[] {
    const mine = this.jobs.trainerRunIds();
    const others: number[] = [];
    for (const r of runsDb.activeRuns(this.db)) {
      if (r.status !== 'running' || mine.includes(r.id)) continue;
      if (trainerLiveness(r) === 'alive') others.push(r.id);
      else if (runsDb.finishRun(this.db, r.id, 'interrupted', vanishedMessage(r.worker_pid))) {
        this.emit('run:status', { runId: r.id, status: 'interrupted', error: vanishedMessage(r.worker_pid) });
      }
    }
    return [...mine, ...others].sort((a, b) => a - b);
  }

  /** Starts waiting runs while slots are free; records why the others wait. */
  pump(): void {
    const limit = readSettings(this.db).maxTrainers;
    while (this.waiting.length > 0) {
      const busy = this.busy();
      if (busy.length >= limit) {
        this.waiting.forEach((w, ahead) => this.setReason(w, waitReason(busy, limit, ahead)));
        return;
      }
      const next = this.waiting.shift()!;
      next.left();
      // Stopped (by another host) while it waited: nothing to start.
      if (runsDb.getRun(this.db, next.runId)?.status !== 'queued') continue;
      runsDb.setWaitReason(this.db, next.runId, null);
      this.launch(next.runId, next.resume);
    }
  }

  private setReason(w: Waiting, reason: string): void {
    if (w.reason === reason) return;
    w.reason = reason;
    runsDb.setWaitReason(this.db, w.runId, reason);
    this.emit('run:log', { runId: w.runId, level: 'info', message: reason, time: Date.now() });
  }

  private tick(): void {
    try {
      // Runs stopped by another host while they waited here leave the queue.
      for (const w of [...this.waiting]) if (runsDb.getRun(this.db, w.runId)?.status !== 'queued') this.remove(w.runId);
      runsDb.beatQueued(this.db, [...this.waiting.map((w) => w.runId), ...this.jobs.trainerRunIds()]);
      if (this.waiting.length > 0) this.pump();
    } catch {
      // A busy or closing database: the next tick tries again.
    }
  }

  /**
   * The host is closing: runs still waiting here will not start, so they are marked interrupted
   * (resumable) instead of staying queued with nobody to start them.
   */
  close(): void {
    clearInterval(this.timer);
    for (const w of this.waiting.splice(0)) {
      const error = 'the host closed before a trainer slot freed; resume the run to queue it again';
      if (runsDb.finishRun(this.db, w.runId, 'interrupted', error))
        this.emit('run:status', { runId: w.runId, status: 'interrupted', error });
      w.left();
    }
  }
}

/** "waiting: 1 of 1 trainer slots busy (run 7)", plus how many queued runs are ahead. */
export function waitReason(busy: readonly number[], limit: number, ahead = 0): string {
  const runs = busy.length === 1 ? `run ${busy[0]}` : `runs ${busy.join(', ')}`;
  const line = ahead > 0 ? `; ${ahead} queued run${ahead === 1 ? '' : 's'} ahead` : '';
  return `waiting: ${busy.length} of ${limit} trainer slot${limit === 1 ? '' : 's'} busy (${runs})${line}`;
}
