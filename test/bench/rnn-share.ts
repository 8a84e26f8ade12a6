// `npm run bench -- --suite rnn --share [--json] [--quick]`: two trainers on one machine at once,
// three ways, alternating repetitions: as before this round (every trainer runs the cores' count of
// threads: RNN_KERNEL_THREADS = cores, RNN_KERNEL_SHARE=0), with the thread count measured but the
// cores not shared (RNN_KERNEL_SHARE=0), and as trainers run now (measured, within a fair share of
// the cores: worker/kernels/core-share.ts). Each trainer is a child process running the whole step
// (rnn-share-child.ts); both start their timed batches together. Reported: the two trainers'
// samples/s summed (medians), the slower one's time, and each repetition's thread choices.
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

type Mode = 'before' | 'measured' | 'shared';
const MODES: Mode[] = ['before', 'measured', 'shared'];

function startChild(shape: object, batches: number, mode: Mode) {
  const env = { ...process.env };
  delete env.RNN_KERNEL_THREADS;
  delete env.RNN_KERNEL_SHARE;
  if (mode !== 'shared') env.RNN_KERNEL_SHARE = '0';
  if (mode === 'before') env.RNN_KERNEL_THREADS = String(Math.min(8, availableParallelism()));
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
async function pair(shape: object, batches: number, mode: Mode): Promise<ChildResult[]> {
  const kids = [startChild(shape, batches, mode), startChild(shape, batches, mode)];
  await Promise.all(kids.map((k) => k.ready));
  for (const k of kids) k.go();
  return Promise.all(kids.map((k) => k.done));
}

export async function share(opts: BenchOptions): Promise<void> {
  const reps = opts.args.includes('--quick') ? 2 : 4;
  if (!opts.json)
    console.log(
      `(two trainers at once on ${availableParallelism()} cores, ${reps} rotating repetitions; load average ${loadLine()})\n` +
        'shape (cell H B T F)     before: sum samples/s  slower s   measured: sum  slower s  threads          shared: sum  slower s  threads          shared/before',
    );
  for (const s of SHAPES) {
    // About 3 s of training per trainer and repetition at one thread's speed on this class of machine.
    const batches = Math.max(20, Math.round(3000 / ((s.batch * s.steps * s.units * s.units) / 2e6)));
    const got: Record<Mode, ChildResult[][]> = { before: [], measured: [], shared: [] };
    for (let r = 0; r < reps; r++)
      for (let i = 0; i < MODES.length; i++) {
        const mode = MODES[(i + r) % MODES.length]!;
        got[mode].push(await pair(s, batches, mode));
      }
    const sum = (k: Mode) => median(got[k].map((p) => p[0]!.samplesPerSec + p[1]!.samplesPerSec));
    const slower = (k: Mode) => median(got[k].map((p) => Math.max(p[0]!.secs, p[1]!.secs)));
    // '-': no choice made (the count was fixed, or one core was all the trainer had).
    const threads = (k: Mode) => got[k].map((p) => p.map((c) => c.threads ?? '-').join('+')).join(' ');
    const row = {
      suite: 'rnn-share',
      ...s,
      batches,
      ...Object.fromEntries(
        MODES.flatMap((m) => [
          [m, sum(m)],
          [`${m}SlowerSecs`, slower(m)],
          [`${m}Threads`, threads(m)],
        ]),
      ),
      load: loadavg()[0],
    };
    if (opts.json) console.log(JSON.stringify(row));
    else
      console.log(
        `${`${s.cell} ${s.units} ${s.batch} ${s.steps} ${s.features}`.padEnd(24)} ${sum('before').toFixed(0).padStart(22)} ${slower('before').toFixed(2).padStart(9)} ${sum('measured').toFixed(0).padStart(14)} ${slower('measured').toFixed(2).padStart(9)}  ${threads('measured').padEnd(16)} ${sum('shared').toFixed(0).padStart(11)} ${slower('shared').toFixed(2).padStart(9)}  ${threads('shared').padEnd(16)} ${(sum('shared') / sum('before')).toFixed(2).padStart(12)}×`,
      );
  }
}
