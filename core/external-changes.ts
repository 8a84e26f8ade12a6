// Publishes what other processes write to the same SQLite file: a CLI `train` while `serve` or the
// desktop app is open, a trainer started by another host, an import from another terminal. The
// host polls `PRAGMA data_version` (one cheap read; it changes only when another connection
// commits) and, when it moved, diffs small stamps of the runs and datasets and emits the events
// the UI already listens to: run:status for new, changed or deleted runs, run:epoch for new epochs,
// run:log for new log lines, datasets:changed. Runs this host's own trainers own are skipped (their
// events arrive through the worker channel), and every event this host emits updates the stamps,
// so nothing is published twice.
import type { EventMap, EventName } from './contract.js';
import type { Emit } from './handlers/context.js';
import type { DB } from '../db/open.js';
import { dataVersion, datasetsStamp, lastEpoch, runStamp, runStamps, type RunStamp } from '../db/changes.js';
import { metricsFor } from '../db/metrics.js';
import { lastLogRowid, logSince } from '../db/run-log.js';

export interface ExternalChanges {
  /** One look (the timer calls it; tests may too). */
  poll(): void;
  /**
   * After this host wrote (an edit, a delete): publish what others wrote so far, then take the
   * stamps as they are now, so this host's own writes are not published as someone else's.
   */
  absorbOwnWrites(): void;
  /** Tell the watcher about an event this host emitted itself. */
  seen<E extends EventName>(event: E, payload: EventMap[E]): void;
  close(): void;
}

export interface WatchOptions {
  db: DB;
  emit: Emit;
  /** True while this host's own trainer runs the run. */
  ownsRun(runId: number): boolean;
  /** Poll interval; 0 = no timer (poll() by hand). */
  intervalMs: number;
}

/** Starts watching; close() stops. */
export function watchExternalChanges(opts: WatchOptions): ExternalChanges {
  const w = new Watcher(opts);
  const timer =
    opts.intervalMs > 0
      ? setInterval(() => {
          try {
            w.poll();
          } catch {
            // A busy or closing database: the next tick looks again.
          }
        }, opts.intervalMs)
      : null;
  // The watcher alone must never keep a host (or a test) alive.
  timer?.unref();
  return {
    poll: () => w.poll(),
    absorbOwnWrites: () => w.absorbOwnWrites(),
    seen: (event, payload) => w.seen(event, payload),
    close() {
      if (timer) clearInterval(timer);
    },
  };
}

class Watcher {
  private version: number;
  private readonly runs: Map<number, RunStamp>;
  private logRowid: number;
  private datasets: string;

  constructor(private readonly o: WatchOptions) {
    this.version = dataVersion(o.db);
    this.runs = new Map(runStamps(o.db).map((r) => [r.id, r]));
    this.logRowid = lastLogRowid(o.db);
    this.datasets = datasetsStamp(o.db).stamp;
  }

  poll(): void {
    const { db, emit } = this.o;
    const v = dataVersion(db);
    if (v === this.version) return;
    this.version = v;
    this.pollRuns();
    this.pollLog();
    const d = datasetsStamp(db);
    if (d.stamp !== this.datasets) {
      this.datasets = d.stamp;
      emit('datasets:changed', { id: d.maxId });
    }
  }

  absorbOwnWrites(): void {
    this.poll();
    for (const r of runStamps(this.o.db)) this.runs.set(r.id, r);
    this.datasets = datasetsStamp(this.o.db).stamp;
  }

  seen<E extends EventName>(event: E, payload: EventMap[E]): void {
    if (event === 'run:status') {
      const id = (payload as EventMap['run:status']).runId;
      const now = runStamp(this.o.db, id);
      if (now) this.runs.set(id, now);
      else this.runs.delete(id);
    } else if (event === 'run:epoch') {
      const e = payload as EventMap['run:epoch'];
      const prev = this.runs.get(e.runId);
      if (prev && (prev.epoch ?? 0) < e.epoch) prev.epoch = e.epoch;
    } else if (event === 'datasets:changed') {
      this.datasets = datasetsStamp(this.o.db).stamp;
    }
  }

  private pollRuns(): void {
    const seenIds = new Set<number>();
    for (const now of runStamps(this.o.db)) {
      seenIds.add(now.id);
      const prev = this.runs.get(now.id);
      this.runs.set(now.id, now);
      if (!this.o.ownsRun(now.id)) this.publishRun(now, prev);
    }
    for (const [id, prev] of this.runs) {
      if (seenIds.has(id)) continue;
      this.runs.delete(id);
      // Deleted elsewhere: the UI refreshes its list on a status event and finds the run gone.
      this.o.emit('run:status', { runId: id, status: prev.status, error: prev.error });
    }
  }

  private publishRun(now: RunStamp, prev: RunStamp | undefined): void {
    // New epochs first, then a changed status: a short run elsewhere can commit its epochs and
    // finish between two polls, and its epochs must still reach a live chart. The stamps count
    // epochs of running runs only, so a run that was queued or running and has just ended is asked.
    const ended = prev && (prev.status === 'queued' || prev.status === 'running') && now.status !== prev.status;
    const to = now.epoch ?? (ended ? lastEpoch(this.o.db, now.id) : 0);
    this.publishEpochs(now.id, prev?.epoch ?? 0, to);
    if (!prev || prev.status !== now.status || prev.stamp !== now.stamp || prev.error !== now.error)
      this.o.emit('run:status', { runId: now.id, status: now.status, error: now.error });
  }

  private publishEpochs(id: number, from: number, to: number): void {
    const { db, emit } = this.o;
    if (to <= from) return;
    const byEpoch = new Map<number, { metrics: Record<string, number>; wallTime: number }>();
    for (const m of metricsFor(db, [id])) {
      if (m.epoch <= from || m.epoch > to) continue;
      const e = byEpoch.get(m.epoch) ?? { metrics: {}, wallTime: m.wall_time };
      e.metrics[m.key] = m.value;
      byEpoch.set(m.epoch, e);
    }
    for (const [epoch, e] of [...byEpoch].sort((a, b) => a[0] - b[0])) emit('run:epoch', { runId: id, epoch, ...e });
  }

  private pollLog(): void {
    for (;;) {
      const lines = logSince(this.o.db, this.logRowid);
      for (const l of lines) {
        this.logRowid = l.rowid;
        if (!this.o.ownsRun(l.run_id))
          this.o.emit('run:log', { runId: l.run_id, level: l.level, message: l.message, time: l.at, seq: l.seq });
      }
      if (lines.length < 1000) return;
    }
  }
}
