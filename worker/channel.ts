// The worker's side of the host link: Electron's utilityProcess gives `process.parentPort`,
// child_process.fork gives `process.send`. Everything else in worker/ uses this module only.
import type { HostToWorker, WorkerToHost } from '../core/jobs.js';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

export function send(msg: WorkerToHost): void {
  if (parentPort) parentPort.postMessage(msg);
  else if (process.send && process.connected) process.send(msg);
}

export function onMessage(listener: (msg: HostToWorker) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as HostToWorker));
  else process.on('message', (m) => listener(m as HostToWorker));
}
