// Start-up benchmark (issue 15 item 4): the time from `train` (runs.create, what the CLI and the
// UI's Train call) to the first finished batch, for a 10,000-row and a 1,000,000-row dataset, split
// into the steps the trainer writes to its run log (`start-up: ...` lines, worker/train/
// startup-clock.ts). Each run is stopped once its first batch is done.
// `--rows 10000,1000000` (default), `--reps N` (default 3; the run with the median total is shown),
// `--hosts cli,server,command` (default cli,server: a forked trainer per run, or the server's warm
// trainer; `command`: the real `rnn-workbench train` spawned from bin/, timed from its spawn, so
// the CLI's own start counts; RNN_WORKBENCH_EARLY_TRAINER=0 runs it without the early trainer),
// `--quick`: 10,000 rows only; `--compiled`: dist/ (after `npm run build:ts`), as installed. Targets: under 1 s for 10,000 rows and under 3 s for 1,000,000.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunLog } from '../../core/contract.js';
import type { Service, ServiceOptions } from '../../core/service.js';
import type { BenchOptions } from './run.js';

const TARGET_MS: Record<number, number> = { 10_000: 1000, 1_000_000: 3000 };

/** An hourly load series with a daily and a yearly cycle (cached in the temp dir). */
async function csvFile(rows: number): Promise<string> {
  const file = join(tmpdir(), `rnn-workbench-bench-startup-${rows}.csv`);
  if (existsSync(file)) return file;
  const part = `${file}.${process.pid}.part`;
  const out = createWriteStream(part);
  out.write('time,load,temp\n');
  const t0 = Date.UTC(2000, 0, 1);
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const t = new Date(t0 + i * 3_600_000).toISOString().slice(0, 19);
    buf += `${t},${(1000 + 200 * Math.sin(i / 24) + 50 * Math.sin(i / 8760) + ((i * 7919) % 97)).toFixed(1)},${(10 + 8 * Math.sin(i / 24)).toFixed(2)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  renameSync(part, file);
  return file;
}

interface Measure {
  rows: number;
  /** `command`: spawn → the CLI's "queued" line (its own start, the database, runs.create), ms. */
  queuedMs?: number;
  /** `command`: CPU ms the CLI process itself had used by the first batch (Linux). */
  cliCpuMs?: number;
  /** runs.create → the first batch's log line (ms). */
  totalMs: number;
  /** The trainer's own steps, in order. */
  steps: { name: string; ms: number; cpuMs?: number }[];
}

const STEP = /^start-up: (.+?) ([\d.]+) ms(?:, cpu ([\d.]+) ms)?(?: \((.*)\))?$/;

const SPEC = {
  target: 'load',
  window: { lookback: 24, horizon: 1, stride: 1 },
  model: { cell: 'lstm', layers: [{ units: 32 }] },
  train: { epochs: 1, batchSize: 64, learningRate: 0.001, patience: 0, maxBatchesPerEpoch: 20 },
};

const stepsOf = (messages: string[]): Measure['steps'] =>
  messages
    .map((m) => STEP.exec(m))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== 'total')
    .map((m) => ({ name: m[1]!, ms: Number(m[2]), ...(m[3] ? { cpuMs: Number(m[3]) } : {}) }));

/**
 * `command`: `node bin/rnn-workbench.js train` as a user runs it (dist/ with --compiled, else the
 * sources), from its spawn to the first batch (the trainer's log on its stderr); then Ctrl+C.
 */
async function measureCommand(dbPath: string, datasetId: number, rows: number): Promise<Measure> {
  const specFile = join(dirname(dbPath), 'spec.json');
  writeFileSync(specFile, JSON.stringify(SPEC));
  const bin = fileURLToPath(new URL('../../bin/rnn-workbench.js', import.meta.url));
  const args = [bin, 'train', '--dataset', String(datasetId), '--db', dbPath, '--spec', specFile];
  const t0 = Date.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...(compiled ? {} : { RNN_WORKBENCH_SOURCE: '1' }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const messages: string[] = [];
  let queuedMs: number | undefined;
  let totalMs: number | undefined;
  let cliCpuMs: number | undefined;
  for await (const line of createInterface({ input: child.stderr! })) {
    const message = line.replace(/^\[\w+\] /, '');
    messages.push(message);
    if (queuedMs === undefined && / queued/.test(line)) queuedMs = Date.now() - t0;
    if (totalMs === undefined && message.startsWith('start-up: total')) {
      totalMs = Date.now() - t0;
      cliCpuMs = procCpuMs(child.pid);
      child.kill('SIGINT');
    }
  }
  if (totalMs === undefined) throw new Error(`train exited before its first batch:\n${messages.join('\n')}`);
  return {
    rows,
    totalMs,
    ...(queuedMs !== undefined ? { queuedMs } : {}),
    ...(cliCpuMs !== undefined ? { cliCpuMs } : {}),
    steps: stepsOf(messages),
  };
}

/** User + system CPU ms of a live process, from /proc (Linux; undefined elsewhere). */
function procCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** One run: created, watched until its first batch, stopped. */
async function measure(svc: Service, datasetId: number, rows: number): Promise<Measure> {
  const lines: RunLog[] = [];
  let runId = -1;
  let firstBatch: (l: RunLog) => void = () => {};
  const first = new Promise<RunLog>((r) => (firstBatch = r));
  const off = svc.on('run:log', (l) => {
    if (l.runId !== runId) return;
    lines.push(l);
    if (l.message.startsWith('start-up: total')) firstBatch(l);
  });
  const t0 = Date.now();
  const created = await svc.call('runs.create', { datasetId, spec: SPEC });
  if (!created.ok) throw new Error(created.error.message);
  runId = created.value.id;
  const done = await first;
  off();
  await svc.call('runs.stop', { id: runId });
  await svc.waitForRun(runId);
  return { rows, totalMs: done.time - t0, steps: stepsOf(lines.map((l) => l.message)) };
}

async function dataset(svc: Service, rows: number): Promise<number> {
  const t = performance.now();
  const r = await svc.call('datasets.import', { path: await csvFile(rows), name: `startup-${rows}` });
  if (!r.ok) throw new Error(r.error.message);
  console.error(`(imported ${rows.toLocaleString('en-US')} rows in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  return r.value.id;
}

function print(m: Measure, host: Host, opts: BenchOptions): void {
  const target = TARGET_MS[m.rows];
  if (opts.json) {
    console.log(
      JSON.stringify({
        suite: 'startup',
        host,
        rows: m.rows,
        ...(m.queuedMs !== undefined ? { queuedMs: m.queuedMs } : {}),
        ...(m.cliCpuMs !== undefined ? { cliCpuMs: m.cliCpuMs } : {}),
        totalMs: Math.round(m.totalMs),
        targetMs: target ?? null,
        steps: m.steps,
      }),
    );
    return;
  }
  console.log(
    `\n${host}, ${m.rows.toLocaleString('en-US')} rows: train → first batch ${Math.round(m.totalMs)} ms` +
      (target ? ` (target < ${target} ms: ${m.totalMs < target ? 'met' : 'MISSED'})` : ''),
  );
  const accounted = m.steps.reduce((s, x) => s + x.ms, 0);
  for (const s of m.steps)
    console.log(
      `  ${s.name.padEnd(36)} ${String(Math.round(s.ms)).padStart(7)} ms` +
        (s.cpuMs !== undefined ? `  (cpu ${String(Math.round(s.cpuMs)).padStart(6)} ms)` : ''),
    );
  // The command's trainer may be forked before its run exists: what the steps leave is the CLI's start before that fork.
  const rest = host === 'command' ? 'cli: start before the fork (rest)' : 'host: create, queue, fork (rest)';
  console.log(`  ${rest.padEnd(36)} ${String(Math.round(m.totalMs - accounted)).padStart(7)} ms`);
  if (m.queuedMs !== undefined)
    console.log(
      `  (the CLI printed "queued" at ${m.queuedMs} ms${m.cliCpuMs !== undefined ? `; the CLI's own cpu by the first batch ${Math.round(m.cliCpuMs)} ms` : ''})`,
    );
}

type Host = 'cli' | 'server' | 'command';

export async function run(opts: BenchOptions): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = opts.args.indexOf(name);
    return i >= 0 ? opts.args[i + 1] : undefined;
  };
  const rowsList = opts.args.includes('--quick') ? [10_000] : (arg('--rows') ?? '10000,1000000').split(',').map(Number);
  const reps = Number(arg('--reps') ?? 3);
  const hosts = (arg('--hosts') ?? 'cli,server').split(',') as Host[];
  compiled = opts.args.includes('--compiled');
  if (!opts.json) console.log(compiled ? '(compiled: dist/)' : '(from the TypeScript sources, through tsx)');
  for (const host of hosts) await runHost(host, rowsList, reps, opts);
}

/**
 * `cli`: each run forks its trainer (the CLI's `train`). `server`: the browser-mode host, which
 * keeps a warm trainer (core/warm-launcher.ts); each run is started once the spare has had time
 * to load.
 */
async function runHost(host: Host, rowsList: number[], reps: number, opts: BenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-startup-'));
  const dbPath = join(dir, 'w.db');
  const svc = (await serviceModule()).createService({ dbPath, host: host === 'server' ? 'server' : 'cli' });
  try {
    for (const rows of rowsList) {
      const id = await dataset(svc, rows);
      const all: Measure[] = [];
      for (let i = 0; i < reps; i++) {
        if (host === 'server') await new Promise((r) => setTimeout(r, WARM_WAIT_MS));
        all.push(host === 'command' ? await measureCommand(dbPath, id, rows) : await measure(svc, id, rows));
      }
      all.sort((a, b) => a.totalMs - b.totalMs);
      print(all[Math.floor(all.length / 2)]!, host, opts);
      if (!opts.json) console.log(`  (all ${reps}: ${all.map((m) => Math.round(m.totalMs)).join(', ')} ms)`);
    }
  } finally {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--compiled` (after `npm run build:ts`): the service and its workers from dist/, as an installed
 * app runs them; by default the TypeScript sources through tsx (slower to start).
 */
let compiled = false;
async function serviceModule(): Promise<{ createService(o: ServiceOptions): Service }> {
  const src = compiled ? '../../dist/core/service.js' : '../../core/service.js';
  return (await import(src)) as { createService(o: ServiceOptions): Service };
}

/** How long the server host is given to fork and load its warm trainer before a run. */
const WARM_WAIT_MS = Number(process.env.WARM_WAIT_MS ?? 10_000);
