// Live data of training runs, appended from the host's `run:*` events: progress, epochs and the
// log of each run. The log is also stored (runs.log): loadLog merges the stored lines with the live
// ones by their seq, so a reload, or a page opened mid-run, shows the whole log once.
import { SvelteMap } from 'svelte/reactivity';
import type { RunEpoch, RunLog, RunProgress } from '../../../core/contract.js';
import type { Client } from './api.js';

/** Log lines kept per run in the page. */
const MAX_LOGS = 2000;

/** Live data of one run. */
export class LiveRun {
  progress = $state<RunProgress | null>(null);
  epochs = $state<RunEpoch[]>([]);
  logs = $state<RunLog[]>([]);
  /** The last status heard, so a repeated status adds no line. */
  status: string | null = null;
}

/** Stored and live lines as one list: one line per seq, unnumbered lines (host notes) by time. */
export function mergeLogs(a: readonly RunLog[], b: readonly RunLog[]): RunLog[] {
  const bySeq = new Map<number, RunLog>();
  const rest: RunLog[] = [];
  for (const l of [...a, ...b]) {
    if (l.seq === undefined) rest.push(l);
    else if (!bySeq.has(l.seq)) bySeq.set(l.seq, l);
  }
  const all = [...bySeq.values(), ...rest].sort((x, y) => x.time - y.time || (x.seq ?? 0) - (y.seq ?? 0));
  return all.length > MAX_LOGS ? all.slice(all.length - MAX_LOGS) : all;
}

export class LiveRuns {
  #runs = new SvelteMap<number, LiveRun>();
  #off: (() => void)[] = [];

  constructor(readonly client: Client) {}

  /** Subscribes to the run events; `stop` unsubscribes. */
  start(): void {
    const c = this.client;
    this.#off.push(
      c.on('run:status', (e) => {
        const live = this.#of(e.runId);
        // A run that is no longer training has no progress, and so no ETA (issue 14 bug 7: it stayed after Stop).
        if (e.status !== 'running') live.progress = null;
        if (live.status === e.status && !e.error) return;
        live.status = e.status;
        live.logs.push({
          runId: e.runId,
          level: e.status === 'failed' ? 'error' : 'info',
          message: `status: ${e.status}${e.error ? ` (${e.error})` : ''}`,
          time: Date.now(),
        });
      }),
      c.on('run:progress', (p) => {
        const live = this.#of(p.runId);
        if (live.status === null || live.status === 'running') live.progress = p;
      }),
      c.on('run:epoch', (e) => {
        const live = this.#of(e.runId);
        if (!live.epochs.some((x) => x.epoch === e.epoch)) live.epochs.push(e);
      }),
      c.on('run:log', (l) => {
        const live = this.#of(l.runId);
        live.logs = mergeLogs(live.logs, [l]);
      }),
    );
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
  }

  /** Reads the run's stored log and merges it with what arrived live. */
  async loadLog(runId: number): Promise<void> {
    const r = await this.client.call('runs.log', { id: runId });
    if (!r.ok) return;
    const live = this.#of(runId);
    live.logs = mergeLogs(r.value, live.logs);
  }

  /** Read-only: null for a run without events yet (a derived must not create state). */
  get(runId: number): LiveRun | null {
    return this.#runs.get(runId) ?? null;
  }

  #of(runId: number): LiveRun {
    let live = this.#runs.get(runId);
    if (!live) {
      live = new LiveRun();
      this.#runs.set(runId, live);
    }
    return live;
  }
}
