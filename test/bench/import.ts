// Import benchmark: a 1,000,000-row, ~80 MB CSV (ISO datetime + 7 float columns), imported in a
// child process (parse + inference + SQLite write) so its peak RSS can be read, against
// `pandas.read_csv(path, parse_dates=['time'])` on the same file in the same run.
// `--quick`: 100,000 rows. `--reps N`: timed repetitions of each (default 3; medians reported).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './run.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const PYTHON = '/usr/bin/python3';

interface Measure {
  impl: string;
  seconds: number;
  peakRssMB: number;
  parseSeconds?: number;
  storeSeconds?: number;
}

/** Writes the benchmark file once (cached in the temp dir; written to a side name, then renamed). */
async function benchFile(rows: number): Promise<string> {
  const file = join(tmpdir(), `rnn-workbench-bench-import-v3-${rows}.csv`);
  if (existsSync(file)) return file;
  const part = `${file}.${process.pid}.part`;
  const out = createWriteStream(part);
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  // Seven random walks printed with 4 decimals: ~80 bytes a row, ~80 MB for a million rows.
  const level = [20, -30, 65, 5, -80, 0, 90];
  out.write('time,temperature,pressure,humidity,wind,direction,rain,load\n');
  const t0 = Date.UTC(2010, 0, 1, 1);
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += new Date(t0 + i * 3_600_000).toISOString().slice(0, 19);
    for (let k = 0; k < 7; k++) {
      level[k] = level[k]! * 0.999 + (rnd() - 0.5) * 2; // mean-reverting: values stay short
      buf += ',' + (level[k]! + rnd() * 10 - 5).toFixed(4);
    }
    buf += '\n';
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

function runProcess(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err.trim()}`)),
    );
  });
}

async function ours(file: string, rows: number): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'rw-bench-import-'));
  try {
    const out = await runProcess(process.execPath, [
      '--import',
      'tsx',
      join(HERE, 'import-child.ts'),
      file,
      join(dir, 'bench.db'),
    ]);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as Measure & { rows: number; columns: string[] };
    if (r.rows !== rows || r.columns[0] !== 'datetime' || r.columns.slice(1).some((k) => k !== 'numeric')) {
      throw new Error(
        `import read ${r.rows} rows as ${r.columns.join(',')}; expected ${rows} rows, datetime + 7 numeric`,
      );
    }
    return {
      impl: 'rnn-workbench',
      seconds: r.seconds,
      peakRssMB: r.peakRssMB,
      parseSeconds: r.parseSeconds,
      storeSeconds: r.storeSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PANDAS = `
import sys, time, json, resource
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], parse_dates=['time'])
s = time.perf_counter() - t
assert len(df) == int(sys.argv[2]) and str(df['time'].dtype).startswith('datetime64'), (len(df), df.dtypes)
print(json.dumps({"impl": "pandas-" + pd.__version__, "seconds": s,
                  "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

async function pandas(file: string, rows: number): Promise<Measure | null> {
  if (!existsSync(PYTHON)) return null;
  try {
    await runProcess(PYTHON, ['-c', 'import pandas']);
  } catch {
    return null;
  }
  const out = await runProcess(PYTHON, ['-c', PANDAS, file, String(rows)]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measure;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function summarise(ms: Measure[]): Measure {
  return {
    impl: ms[0]!.impl,
    seconds: median(ms.map((m) => m.seconds)),
    peakRssMB: Math.max(...ms.map((m) => m.peakRssMB)),
    ...(ms[0]!.parseSeconds !== undefined ? { parseSeconds: median(ms.map((m) => m.parseSeconds!)) } : {}),
    ...(ms[0]!.storeSeconds !== undefined ? { storeSeconds: median(ms.map((m) => m.storeSeconds!)) } : {}),
  };
}

export async function run(opts: BenchOptions): Promise<void> {
  const quick = opts.args.includes('--quick');
  const r = opts.args.indexOf('--reps');
  const reps = r >= 0 ? Math.max(1, Number(opts.args[r + 1]) || 3) : 3;
  const rows = quick ? 100_000 : 1_000_000;
  if (!opts.json) console.log(`preparing ${rows.toLocaleString('en')}-row file…`);
  const file = await benchFile(rows);
  const mb = statSync(file).size / 1e6;
  const mine: Measure[] = [];
  const theirs: Measure[] = [];
  // Warm the page cache once, then alternate the two so machine noise hits both alike.
  await ours(file, rows);
  for (let i = 0; i < reps; i++) {
    mine.push(await ours(file, rows));
    const p = await pandas(file, rows);
    if (p) theirs.push(p);
  }
  const rowsOut = [summarise(mine), ...(theirs.length ? [summarise(theirs)] : [])];
  const base = theirs.length ? rowsOut[1]!.seconds : null;
  if (opts.json) {
    for (const m of rowsOut) {
      console.log(
        JSON.stringify({
          suite: 'import',
          impl: m.impl,
          rows,
          mb: +mb.toFixed(1),
          seconds: +m.seconds.toFixed(3),
          mbPerSec: +(mb / m.seconds).toFixed(1),
          peakRssMB: +m.peakRssMB.toFixed(1),
          ...(m.parseSeconds !== undefined
            ? { parseSeconds: +m.parseSeconds.toFixed(3), storeSeconds: +m.storeSeconds!.toFixed(3) }
            : {}),
          ...(base ? { ratioToPandas: +(m.seconds / base).toFixed(2) } : {}),
          reps,
        }),
      );
    }
    return;
  }
  console.log(
    `file: ${file} (${mb.toFixed(1)} MB, ${rows.toLocaleString('en')} rows); median of ${reps} runs each after one warm-up import`,
  );
  const table = rowsOut.map((m) => ({
    impl: m.impl,
    rows,
    MB: +mb.toFixed(1),
    seconds: +m.seconds.toFixed(3),
    'MB/s': +(mb / m.seconds).toFixed(1),
    'peak RSS MB': +m.peakRssMB.toFixed(0),
    'vs pandas': base ? `${(m.seconds / base).toFixed(2)}×` : 'n/a',
    detail:
      m.parseSeconds !== undefined
        ? `parse ${m.parseSeconds.toFixed(3)} s + store ${m.storeSeconds!.toFixed(3)} s`
        : '',
  }));
  console.table(table);
  if (!theirs.length) console.log(`pandas not importable with ${PYTHON}: no baseline`);
}
