// The fused kernels' worker threads: one pool per build, started up to the threads a call wants,
// each thread serving engine calls (engine-src.ts WORKER_JS): forward and backward through its
// mailbox (mailbox.ts), the rare others posted on its port. A call stays synchronous: the main
// thread spins, then blocks in Atomics.wait, until the thread answers (handoff.ts).
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { WORKER_JS } from './engine-src.js';
import { spin, spinUntilMoved } from './handoff.js';
import { KIND_MAIL, KIND_MESSAGE, MB, newMailbox, STATUS_ERROR, type Mailbox } from './mailbox.js';
import {
  defaultKernelBuild,
  defaultSimdBuild,
  engineModule,
  rnnWasmModule,
  wasmSimdSupported,
  type KernelBuild,
} from './modules.js';
import { MAX_SLICES } from './slices.js';

export interface ThreadSlot {
  worker: Worker;
  port: MessagePort;
  /**
   * [0] calls posted, [1] calls answered, [2] set by the thread as it ends: the main thread, blocked
   * in a synchronous call, never sees the Worker's 'exit' event (it comes through the event loop).
   */
  ctrl: Int32Array;
  /** Where forward and backward calls and their results pass (mailbox.ts). */
  mail: Mailbox;
  posted: number;
  broken: boolean;
}

/** A mailbox's data floats at first (256 KB); it grows to the largest call (mailbox()). */
const INITIAL_MAIL_FLOATS = 65536;

// One pool per build (a worker's engines are instances of the module it was started with).
const pools = new Map<KernelBuild, ThreadSlot[]>();
/** Builds whose threads could not start: not tried again at every call. */
const unavailable = new Set<KernelBuild>();

/** RNN_KERNEL_THREADS: a fixed thread count (no measurement), at most 16; null when unset. */
export function envThreads(): number | null {
  const env = Number(process.env.RNN_KERNEL_THREADS);
  return Number.isInteger(env) && env >= 1 ? Math.min(env, MAX_SLICES) : null;
}

let cores = 0;
/** The cores this process may run on, read once: os.availableParallelism() is a system call (1.2 µs here) and this runs at every kernel call. */
function machineCores(): number {
  return (cores ||= availableParallelism());
}

/**
 * Threads the pool starts with (main thread included): RNN_KERNEL_THREADS, else the cores, at most
 * 8 (batch 64 is 8 slices). It grows, up to the cores and 16, when a larger batch is allowed more.
 */
export function kernelThreadCount(): number {
  return envThreads() ?? Math.max(1, Math.min(8, machineCores()));
}

/** The most threads a layer may use: RNN_KERNEL_THREADS, else the cores, at most 16. */
export function maxThreadCount(): number {
  return envThreads() ?? Math.max(1, Math.min(MAX_SLICES, machineCores()));
}

/** The build's worker threads, started up to `want` − 1 (the main thread is the other one). */
export function threadPool(build: KernelBuild, want = kernelThreadCount()): ThreadSlot[] {
  let pool = pools.get(build);
  if (!pool) {
    pool = [];
    pools.set(build, pool);
  }
  while (pool.length < want - 1 && !unavailable.has(build)) {
    try {
      const { port1, port2 } = new MessageChannel();
      const ctrl = new Int32Array(new SharedArrayBuffer(12));
      const mail = newMailbox(INITIAL_MAIL_FLOATS);
      const worker = new Worker(WORKER_JS, {
        eval: true,
        workerData: {
          port: port2,
          ctrl,
          spin,
          module: engineModule(build),
          // The training step's dense layers, loss and gradient tree (rows-src.ts), as step.ts runs them.
          stepModule: rnnWasmModule(defaultSimdBuild()),
          mail: mail.buffer,
        },
        transferList: [port2],
      });
      worker.unref();
      const slot: ThreadSlot = { worker, port: port1, ctrl, mail, posted: 0, broken: false };
      worker.on('error', () => {
        slot.broken = true;
      });
      worker.on('exit', () => {
        slot.broken = true;
      });
      pool.push(slot);
    } catch {
      unavailable.add(build); // threads unavailable: the main thread does all the work
    }
  }
  return pool;
}

/** Posts a message (free, exit, a new mailbox) to the thread; collect() takes its reply. */
export function post(slot: ThreadSlot, msg: unknown): void {
  slot.mail.i32[MB.KIND] = KIND_MESSAGE;
  slot.port.postMessage(msg);
  signal(slot);
}

/** Hands the call written in the thread's mailbox to it; collectMail() waits for its results. */
export function postMail(slot: ThreadSlot): void {
  slot.mail.i32[MB.KIND] = KIND_MAIL;
  signal(slot);
}

function signal(slot: ThreadSlot): void {
  slot.posted++;
  Atomics.add(slot.ctrl, 0, 1);
  Atomics.notify(slot.ctrl, 0);
}

/** Waits until the thread has answered everything posted to it. */
function awaitDone(slot: ThreadSlot): void {
  for (;;) {
    const done = Atomics.load(slot.ctrl, 1);
    if (done >= slot.posted) return;
    if (slot.broken || Atomics.load(slot.ctrl, 2)) {
      slot.broken = true; // the layers' next plans leave it out
      throw new Error('fused RNN kernel: a worker thread exited');
    }
    // The thread's notify on ending may come before this wait: the timeout bounds that to 1 s.
    if (!spinUntilMoved(slot.ctrl, 1, done) && !Atomics.load(slot.ctrl, 2)) Atomics.wait(slot.ctrl, 1, done, 1000);
  }
}

function receive<T>(slot: ThreadSlot): T {
  let got = receiveMessageOnPort(slot.port);
  while (!got) got = receiveMessageOnPort(slot.port); // counter moved before the message landed
  const reply = got.message as { ok: boolean; value?: T; error?: string };
  if (!reply.ok) throw new Error(reply.error);
  return reply.value as T;
}

export function collect<T>(slot: ThreadSlot): T {
  awaitDone(slot);
  return receive<T>(slot);
}

/** Waits for the call posted with postMail(); its results are in the mailbox's data. */
export function collectMail(slot: ThreadSlot): Mailbox {
  awaitDone(slot);
  if (slot.mail.i32[MB.STATUS] === STATUS_ERROR) receive(slot); // throws the thread's error
  return slot.mail;
}

/**
 * Frees a layer's engine on the thread, and gives the thread back a first-size mailbox when its
 * own grew (a large batch's would otherwise stay allocated for as long as the process runs).
 */
export function freeEngine(slot: ThreadSlot, id: number): void {
  if (slot.broken) return;
  const small = slot.mail.f32.length > INITIAL_MAIL_FLOATS ? newMailbox(INITIAL_MAIL_FLOATS) : null;
  post(slot, { op: 'free', id, mail: small?.buffer });
  try {
    collect(slot);
    if (small) slot.mail = small;
  } catch {
    /* the thread is gone; nothing to free */
  }
}

/** The thread's mailbox with room for `floats` of data: a larger one is handed over first when needed. */
export function mailbox(slot: ThreadSlot, floats: number): Mailbox {
  if (slot.mail.f32.length >= floats) return slot.mail;
  let next: Mailbox;
  try {
    next = newMailbox(Math.max(floats, 2 * slot.mail.f32.length));
  } catch {
    const mb = Math.round((4 * floats) / 2 ** 20);
    throw new Error(
      `fused RNN kernel: cannot allocate ${mb} MB to hand a batch to a worker thread; use a smaller batch or fewer steps`,
    );
  }
  post(slot, { op: 'mailbox', buffer: next.buffer });
  collect(slot);
  slot.mail = next;
  return next;
}

/**
 * Starts the default build's worker threads now instead of at the first batch: a warm or early
 * trainer (worker/main.ts) calls it while it waits for its run, so the threads' start and their
 * module instantiation overlap the host's work (about 100 ms of a cold trainer's first batch).
 * Idle threads are unref'd and cost nothing if the run takes another path (GPU, tf.layers).
 */
export function prestartKernelThreads(): void {
  if (wasmSimdSupported()) threadPool(defaultKernelBuild());
}

/** Worker threads started for a build (tests: the prestart is reused, not doubled). */
export function kernelThreadPoolSize(build: KernelBuild = defaultKernelBuild()): number {
  return pools.get(build)?.length ?? 0;
}

/** Stops the worker threads (tests, process shutdown); the next call starts new ones. */
export function shutdownKernelThreads(): void {
  for (const s of [...pools.values()].flat()) {
    if (!s.broken) post(s, { op: 'exit' });
    void s.worker.terminate();
  }
  pools.clear();
}
