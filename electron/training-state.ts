// Which runs are training right now and how far along they are, from the service's run events
// (run:status, run:progress). The taskbar progress and the power-save blocker follow it. A run
// counts from `running` (or its first progress event) until any other status.
import type { RunProgress, RunStatusEvent } from '../core/contract.js';

/** How far a run is, 0..1, from its progress event (epochs are numbered from 1). */
export function progressFraction(p: Pick<RunProgress, 'epoch' | 'epochs' | 'batch' | 'batches'>): number {
  if (!(p.epochs > 0)) return 0;
  const inEpoch = p.batches > 0 ? p.batch / p.batches : 0;
  const f = (p.epoch - 1 + inEpoch) / p.epochs;
  return Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
}

export class TrainingState {
  readonly #runs = new Map<number, number>();
  /** Runs that ended: a progress event that arrives after the end must not revive them. */
  readonly #ended = new Set<number>();

  /** Applies a status event; true when the set of training runs changed. */
  status(e: Pick<RunStatusEvent, 'runId' | 'status'>): boolean {
    if (e.status === 'running') {
      this.#ended.delete(e.runId); // resumed
      if (this.#runs.has(e.runId)) return false;
      this.#runs.set(e.runId, 0);
      return true;
    }
    if (e.status !== 'queued') this.#ended.add(e.runId);
    return this.#runs.delete(e.runId);
  }

  /** Applies a progress event; true when a run started training with it. */
  progress(p: RunProgress): boolean {
    if (this.#ended.has(p.runId)) return false;
    const started = !this.#runs.has(p.runId);
    this.#runs.set(p.runId, progressFraction(p));
    return started;
  }

  get count(): number {
    return this.#runs.size;
  }

  /** The mean progress of the training runs, or -1 when none trains (Electron's "no bar"). */
  get fraction(): number {
    if (this.#runs.size === 0) return -1;
    let sum = 0;
    for (const f of this.#runs.values()) sum += f;
    return sum / this.#runs.size;
  }
}
