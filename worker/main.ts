// Entry of every worker process (child_process.fork headless, utilityProcess in Electron): waits
// for one job, does it, reports through the channel and exits. TF.js is loaded only here, lazily,
// so an import job never pays for it. Its own imports are node built-ins and two small modules
// (no zod, no contract): the time to this file's body is Node's start, and a trainer's kernel
// threads can start before the trainer's modules load (issue 15 item 4).
import { WARM_TRAINER_RUNS, type Job } from '../core/jobs.js';
import { performance } from 'node:perf_hooks';
import { flushed, hostLost, onMessage, send } from './channel.js';
import { enableCompileCache } from './compile-cache.js';

/** CPU time this process has used (user + system), ms: what a start-up step costs on a busy machine. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Node's start: this module's body runs (ms from the process's start, and the CPU used by then). */
const bootAt = performance.now();
const bootCpu = cpuMs();
enableCompileCache();

let stopRequested = false;
let started = false;

// A warm trainer (core/warm-launcher.ts) imports the trainer and TF.js while it waits for a run;
// `train-early` is the one the CLI's `train` forks as the command starts (core/cli/early-trainer.ts).
const warm = process.env.RNN_WORKBENCH_WARM;
const early = warm === 'train-early';
/** When the trainer's modules were loaded (ms from the process's start), and the CPU used by then. */
let loadedAt = 0;
let loadedCpu = 0;

/**
 * A trainer's load, waiting or cold: the fused kernels' worker threads first (worker/kernels/
 * wasm.ts, which needs no TF.js), so that their start (a Node thread each and the wasm
 * instantiation, about 100 ms of CPU) runs on another core while this thread loads the trainer
 * and TF.js, not beside the data preparation or inside the first batch. Threads a run does not
 * use (GPU, tf.layers) are unref'd and idle.
 */
async function loadTrainer(): Promise<typeof import('./train/trainer.js')> {
  (await import('./kernels/wasm.js')).prestartKernelThreads();
  const m = await import('./train/trainer.js');
  loadedAt = performance.now();
  loadedCpu = cpuMs();
  return m;
}

const warmTrainer = warm === 'train' || warm === 'train-reuse' || early ? loadTrainer() : null;
/** Only a host that takes a trainer back (core/warm-launcher.ts's pool) forks it with `train-reuse`. */
const reuseAllowed = warm === 'train-reuse';
// Waiting for work, it leaves with its host (a trainer that has a run ends it first: trainer.ts).
process.on('disconnect', () => {
  if (!started) process.exit(0);
});

async function runJob(job: Job): Promise<void> {
  if (job.kind === 'import') {
    const { importCsv } = await import('./import/run.js');
    const summary = await importCsv(job.dbPath, job.path, {
      ...(job.name ? { name: job.name } : {}),
      ...(job.expectedBytes !== undefined ? { expectedBytes: job.expectedBytes } : {}),
      ...(job.importToken ? { importToken: job.importToken } : {}),
      ...(job.columnTypes ? { columnTypes: job.columnTypes } : {}),
      onProgress: (p) => send({ type: 'import-progress', progress: { file: job.path, ...p } }),
    });
    send({ type: 'done', result: summary });
    return;
  }
  if (job.kind === 'export') {
    const { exportRun } = await import('./export/export.js');
    send({
      type: 'done',
      result: await exportRun(job.dbPath, job.runId, job.checkpoint, job.outDir, {
        force: job.force ?? false,
        format: job.format ?? 'tfjs',
      }),
    });
    return;
  }
  if (job.kind === 'bundle') {
    const { bundleRuns } = await import('./export/bundle.js');
    send({ type: 'done', result: await bundleRuns(job.dbPath, job) });
    return;
  }
  if (job.kind === 'import-bundle') {
    const { importBundleFile } = await import('./export/bundle.js');
    send({ type: 'done', result: await importBundleFile(job.dbPath, job.path, job.expectedBytes) });
    return;
  }
  if (job.kind === 'predict') {
    const { predictRun } = await import('./predict/predict.js');
    send({
      type: 'done',
      result: await predictRun(job.dbPath, job.runId, {
        steps: job.steps,
        csvPath: job.csvPath,
        checkpoint: job.checkpoint,
      }),
    });
    return;
  }
  // Start-up marks for the run log: process start to this job, then the trainer's (and TF.js's)
  // import. A warm trainer did both before its run existed: only what is left of them counts.
  const jobAt = performance.now();
  const jobCpu = cpuMs();
  // A cold trainer (forked for this run) loads the same way: kernel threads first, then the trainer.
  const { train } = await (warmTrainer ?? loadTrainer());
  const readyAt = performance.now();
  const readyCpu = cpuMs();
  const importMs = readyAt - jobAt;
  const importCpu = readyCpu - jobCpu;
  const ready = { readyAt, readyCpu };
  await train({
    startup: early
      ? { jobAt, importMs, jobCpu, importCpu, ...ready, early: { bootAt, bootCpu, loadedAt, loadedCpu } }
      : warmTrainer
        ? { jobAt: 0, importMs, jobCpu: 0, importCpu, ...ready, warm: true }
        : { jobAt, importMs, jobCpu, importCpu, ...ready },
    dbPath: job.dbPath,
    runId: job.runId,
    resume: job.resume,
    send,
    stopRequested: () => stopRequested,
    hostLost,
  });
  send({ type: 'done', result: { runId: job.runId } });
}

// A stop from another host process arrives as SIGTERM: finish the batch, save, exit.
process.on('SIGTERM', () => {
  stopRequested = true;
  if (!started) process.exit(0);
});

/**
 * Whether this warm trainer takes another run instead of exiting (core/warm-launcher.ts hands it
 * to the next trial of a study): only after a run that ended normally, with the host still there,
 * WARM_TRAINER_RUNS runs in all (core/jobs.ts), and while what TF.js holds stays small (models and optimizers of past
 * runs are released first). Every other worker exits after its job, as before.
 */
const REUSE_MAX_BYTES = 256 * 2 ** 20;
let runsDone = 0;

async function reusable(job: Job): Promise<boolean> {
  if (!reuseAllowed || job.kind !== 'train' || hostLost() || ++runsDone >= WARM_TRAINER_RUNS) return false;
  const { tf } = await import('./tf.js');
  tf.disposeVariables();
  return tf.memory().numBytes < REUSE_MAX_BYTES;
}

onMessage((msg) => {
  if (msg.type === 'stop') {
    stopRequested = true;
    return;
  }
  if (msg.type !== 'start' || started) return;
  started = true;
  // A stop that came for the previous run of a reused trainer is not for this one.
  stopRequested = false;
  runJob(msg.job)
    // Exit only once the result has left the process (a large one takes many writes).
    .then(() => flushed())
    .then(() => reusable(msg.job))
    .then((again) => {
      if (!again) process.exit(0);
      started = false;
      send({ type: 'ready' });
    })
    .catch(async (e: unknown) => {
      // Loaded only here: core/errors.ts brings the contract and zod, which a trainer loads with
      // its own modules and an import worker with its own, never before the job needs them.
      const error = await import('../core/errors.js').then(
        (m) => m.toApiError(e),
        () => ({ code: 'internal' as const, message: e instanceof Error ? e.message : String(e) }),
      );
      send({ type: 'error', error });
      await flushed();
      process.exit(1);
    });
});
