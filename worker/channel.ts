// The worker's side of the host link: Electron's utilityProcess gives `process.parentPort`,
// child_process.fork gives `process.send`. Everything else in worker/ uses this module only.
import type { HostToWorker, WorkerToHost } from '../core/jobs.js';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

// Messages handed to process.send whose write has not completed. A large message (an import's
// summary of 70,000 columns) is written in many chunks; a worker that exits before the last one
// loses the message, so exits wait for `flushed()`.
let pending = 0;
const waiters: Array<() => void> = [];
// Set when a write to the host failed: the host is gone even if 'disconnect' has not arrived yet.
let writeFailed = false;

export function send(msg: WorkerToHost): void {
  if (parentPort) parentPort.postMessage(msg);
  else if (process.send && process.connected) {
    pending++;
    // With a callback a failed write (host gone) is reported here instead of as an 'error' event.
    process.send(msg, undefined, {}, (err: Error | null) => {
      if (err) writeFailed = true;
      pending--;
      if (pending === 0) for (const w of waiters.splice(0)) w();
    });
  }
}

/**
 * Resolves once every message sent so far has been written to the host's channel. Electron's
 * parentPort has no completion callback: its postMessage hands the message over synchronously,
 * and a short delay lets it leave the process.
 */
export function flushed(): Promise<void> {
  if (parentPort) return new Promise((resolve) => setTimeout(resolve, 20));
  if (pending === 0 || !process.connected) return Promise.resolve();
  // A host that goes away mid-write ends the wait too: nothing more can be delivered.
  return new Promise((resolve) => {
    waiters.push(resolve);
    process.once('disconnect', resolve);
  });
}

/**
 * True once the host that forked this worker is gone (killed, crashed): its IPC channel closed or
 * a write to it failed. Nothing sent can arrive any more, and no stop message will come; a trainer
 * then saves what it has and ends its run as interrupted. Electron kills a utility process with
 * its parent, so there it never turns true.
 */
export function hostLost(): boolean {
  if (parentPort || !process.send) return false;
  return writeFailed || !process.connected;
}

export function onMessage(listener: (msg: HostToWorker) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as HostToWorker));
  else process.on('message', (m) => listener(m as HostToWorker));
}
