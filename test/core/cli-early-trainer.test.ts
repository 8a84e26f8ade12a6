// The CLI's `train` forks its trainer as the command starts (core/cli/early-trainer.ts, issue 15
// item 4): the run log says so, the seeded run's results are those of a trainer forked after
// runs.create, and a command that ends without a run leaves no trainer behind.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';
import { runCli, type CliResult } from './cli-harness.js';

const t = tempDir();
const db = join(t.dir, 'early.db');
const specFile = join(t.dir, 'spec.json');

const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--db', db]);

interface Row {
  id: number;
  status: string;
  summary: { key: string }[];
  test: Record<string, number>;
}

/** What a run scored: every metric but the timings, and the test table. */
const scores = (r: Row) => ({ summary: r.summary.filter((s) => !/seconds|per_sec/.test(s.key)), test: r.test });

/** A `train --json` run: its row and its run log. */
async function train(): Promise<{ run: Row; log: string[] }> {
  const r = await cli('train', '--dataset', 'sine', '--spec', specFile, '--json');
  expect(r.code, r.err).toBe(0);
  const run = JSON.parse(r.out) as Row;
  const svc = createService({ dbPath: db, readonly: true });
  try {
    const log = await svc.call('runs.log', { id: run.id });
    if (!log.ok) throw new Error(log.error.message);
    return { run, log: log.value.map((l) => l.message) };
  } finally {
    await svc.close();
  }
}

/** Live child processes of this one that run the worker entry (Linux: /proc). */
function workerChildren(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(ppid) !== process.pid || state === 'Z') return false;
        return /worker\/main\.[jt]s/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

async function noWorkerChildren(): Promise<void> {
  for (let i = 0; i < 50 && workerChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(workerChildren()).toEqual([]);
}

beforeAll(async () => {
  sineCsv(t.dir, 600);
  writeFileSync(
    specFile,
    JSON.stringify(tinySpec({ train: { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 7 } })),
  );
  expect((await cli('import', join(t.dir, 'sine.csv'), '--name', 'sine')).code).toBe(0);
}, 60_000);

afterAll(() => t.cleanup());

describe('the early trainer of `train`', () => {
  it('trains the run, says so in the run log, and gives the results of a trainer forked after runs.create', async () => {
    const early = await train();
    expect(early.run.status).toBe('completed');
    // Node's start, then the load (kernel threads first) during which or after which the run arrived.
    expect(early.log.find((m) => m.startsWith('start-up: process start'))).toMatch(
      /^start-up: process start [\d.]+ ms, cpu [\d.]+ ms \(Node; forked as the CLI command started, before its run existed\)$/,
    );
    expect(early.log.find((m) => m.startsWith('start-up: TF.js'))).toMatch(
      /, cpu [\d.]+ ms \(kernel threads started first; (the run reached it at [\d.]+ ms, during the load|while the CLI loaded, opened the database and created the run)\)$/,
    );
    expect(early.log.some((m) => m.startsWith('start-up: total'))).toBe(true);

    process.env.RNN_WORKBENCH_EARLY_TRAINER = '0';
    try {
      const cold = await train();
      // A trainer forked once the run exists: its own process start and TF.js load, CPU beside the wall time.
      expect(cold.log.find((m) => m.startsWith('start-up: process start'))).toMatch(
        /^start-up: process start [\d.]+ ms, cpu [\d.]+ ms$/,
      );
      expect(cold.log.find((m) => m.startsWith('start-up: TF.js'))).toMatch(
        /^start-up: TF\.js and trainer modules load [\d.]+ ms, cpu [\d.]+ ms$/,
      );
      // Same seed, same data, same code in another process: the same numbers.
      expect(scores(cold.run)).toEqual(scores(early.run));
      expect(scores(early.run).summary.map((s) => s.key)).toContain('val_loss');
    } finally {
      delete process.env.RNN_WORKBENCH_EARLY_TRAINER;
    }
  }, 180_000);

  it.runIf(process.platform === 'linux')(
    'is not left behind by a train that fails, nor forked for other commands',
    async () => {
      const bad = await cli('train', '--dataset', 'missing');
      expect(bad.err).toMatch(/no dataset "missing"/);
      await noWorkerChildren();
      const usage = await cli('train', '--no-such-flag');
      expect(usage.code).toBe(2);
      await noWorkerChildren();
      expect((await cli('datasets')).code).toBe(0);
      expect(workerChildren()).toEqual([]);
    },
    60_000,
  );
});
