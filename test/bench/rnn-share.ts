// `npm run bench -- --suite rnn --share [--json] [--quick]`: two trainers on one machine at once,
// with the cores shared (worker/kernels/core-share.ts: each takes cores / 2) against each taking
// every core (RNN_KERNEL_SHARE=0, the behaviour before), alternating repetitions. Each trainer is a
// child process running the whole step (rnn-share-child.ts) with its thread count measured as a
// run does; both start their timed batches together. Reported: the two trainers' samples/s summed
// (medians), and the slower one's time.
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { relaxedSimdFlag } from '../../core/jobs.js';
import type { BenchOptions } from './run.js';
import { loadLine, median } from './rnn-step.js';

const SHAPES = [
  { cell: 'lstm', units: 64, batch: 64, steps: 50, features: 1 },
  { cell: 'gru', units: 64, batch: 32, steps: 24, features: 1 },
  { cell: 'lstm', units: 128, batch: 256, steps: 50, features: 8 },
] as const;

const CHILD = fileURLToPath(new URL('./rnn-share-child.ts', import.meta.url));

interface ChildResult {
  samplesPerSec: number;
  secs: number;
  threads: number | null;
}

function startChild(shape: object, batches: number, share: boolean) {
  const env = { ...process.env };
  if (share) delete env.RNN_KERNEL_SHARE;
  else env.RNN_KERNEL_SHARE = '0';
  delete env.RNN_KERNEL_THREADS;
  const child = spawn(
    process.execPath,
    [...relaxedSimdFlag(), '--import', 'tsx', CHILD, JSON.stringify(shape), String(batches)],
    { env, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => code && reject(new Error(`share bench child exited with ${code}`)));
  });
  const done = new Promise<ChildResult>((resolve, reject) =>
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop()!;
      if (code) reject(new Error(`share bench child exited with ${code}`));
      else resolve(JSON.parse(last) as ChildResult);
    }),
  );
  return { ready, done, go: () => child.stdin.end('go\n') };
}

/** Two trainers at once: both warmed up, then timed together. */
async function pair(shape: object, batches: number, share: boolean): Promise<ChildResult[]> {
  const kids = [startChild(shape, batches, share), startChild(shape, batches, share)];
  await Promise.all(kids.map((k) => k.ready));
  for (const k of kids) k.go();
  return Promise.all(kids.map((k) => k.done));
}

export async function share(opts: BenchOptions): Promise<void> {
  const reps = opts.args.includes('--quick') ? 2 : 4;
  if (!opts.json)
    console.log(
      `(two trainers at once on ${availableParallelism()} cores, ${reps} alternating repetitions; load average ${loadLine()})\n` +
        'shape (cell H B T F)      every core: sum samples/s  slower s  threads    shared: sum samples/s  slower s  threads   shared/every',
    );
  for (const s of SHAPES) {
    // About 3 s of training per trainer and repetition at one thread's speed on this class of machine.
    const batches = Math.max(20, Math.round(3000 / ((s.batch * s.steps * s.units * s.units) / 2e6)));
    const got = { every: [] as ChildResult[][], shared: [] as ChildResult[][] };
    for (let r = 0; r < reps; r++) {
      const order: (keyof typeof got)[] = r % 2 ? ['shared', 'every'] : ['every', 'shared'];
      for (const k of order) got[k].push(await pair(s, batches, k === 'shared'));
    }
    const sum = (k: keyof typeof got) => median(got[k].map((p) => p[0]!.samplesPerSec + p[1]!.samplesPerSec));
    const slower = (k: keyof typeof got) => median(got[k].map((p) => Math.max(p[0]!.secs, p[1]!.secs)));
    const threads = (k: keyof typeof got) => got[k].map((p) => p.map((c) => c.threads ?? '-').join('+')).join(' ');
    const row = {
      suite: 'rnn-share',
      ...s,
      batches,
      every: sum('every'),
      everySlowerSecs: slower('every'),
      everyThreads: threads('every'),
      shared: sum('shared'),
      sharedSlowerSecs: slower('shared'),
      sharedThreads: threads('shared'),
      load: loadavg()[0],
    };
    if (opts.json) console.log(JSON.stringify(row));
    else
      console.log(
        `${`${s.cell} ${s.units} ${s.batch} ${s.steps} ${s.features}`.padEnd(24)} ${row.every.toFixed(0).padStart(22)} ${row.everySlowerSecs.toFixed(2).padStart(9)}  ${row.everyThreads.padEnd(9)} ${row.shared.toFixed(0).padStart(22)} ${row.sharedSlowerSecs.toFixed(2).padStart(9)}  ${row.sharedThreads.padEnd(9)} ${(row.shared / row.every).toFixed(2).padStart(10)}×`,
      );
  }
}
