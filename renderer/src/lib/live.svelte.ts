// Live data of training runs, appended from the host's `run:*` events: progress, epochs and the
// log of each run since the page opened. The Live run screen merges it with the stored epochs.
import { SvelteMap } from 'svelte/reactivity';
import type { RunEpoch, RunLog, RunProgress } from '../../../core/contract.js';
import type { Client } from './api.js';

/** Log lines kept per run (older ones are in the run's stored log). */
const MAX_LOGS = 500;

/** Live data of one run. */
export class LiveRun {
  progress = $state<RunProgress | null>(null);
  epochs = $state<RunEpoch[]>([]);
  logs = $state<RunLog[]>([]);
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
        this.#of(e.runId).logs.push({
          runId: e.runId,
          level: e.status === 'failed' ? 'error' : 'info',
          message: `status: ${e.status}${e.error ? ` (${e.error})` : ''}`,
          time: Date.now(),
        });
      }),
      c.on('run:progress', (p) => {
        this.#of(p.runId).progress = p;
      }),
      c.on('run:epoch', (e) => {
        const live = this.#of(e.runId);
        if (!live.epochs.some((x) => x.epoch === e.epoch)) live.epochs.push(e);
      }),
      c.on('run:log', (l) => {
        const logs = this.#of(l.runId).logs;
        logs.push(l);
        if (logs.length > MAX_LOGS) logs.splice(0, logs.length - MAX_LOGS);
      }),
    );
  }

  stop(): void {
    for (const off of this.#off) off();
    this.#off = [];
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
