// The CLI in-process (same code path as the bin, output captured) on a real temp database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { trainCommand } from '../../core/cli/commands-runs.js';
import { contextFor, parseCommandLine } from '../../core/cli/table.js';
import { openDb } from '../../db/open.js';
import { sineCsv, tempDir } from '../helpers.js';
import { runCli, type CliResult } from './cli-harness.js';

const t = tempDir();
const db = join(t.dir, 'cli.db');

/** Runs main() on exactly these arguments with console output captured. */
const raw = (...args: string[]): Promise<CliResult> => runCli(args);

const cli = (...args: string[]) => raw(...args, '--db', db);

/** Runs `fn` with RNN_WORKBENCH_DB (the default database) pointing at `path`. */
async function withDefaultDb<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.RNN_WORKBENCH_DB;
  process.env.RNN_WORKBENCH_DB = path;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.RNN_WORKBENCH_DB;
    else process.env.RNN_WORKBENCH_DB = saved;
  }
}

beforeAll(() => sineCsv(t.dir));
afterAll(() => t.cleanup());

describe('rnn-workbench CLI', () => {
  it('parses flags, repeated --set and key=value forms', () => {
    const line = parseCommandLine(trainCommand, [
      '--dataset',
      'x',
      '--set',
      'a.b=1',
      '--set',
      'c=2',
      '--json',
      '--name=foo',
      '--tag',
      't1',
      '--tag=t2',
    ]);
    const ctx = contextFor(null as never, db, line);
    expect(ctx.positionals).toEqual([]);
    expect(ctx.strings('set')).toEqual(['a.b=1', 'c=2']);
    expect(ctx.strings('tag')).toEqual(['t1', 't2']);
    expect(ctx.flag('json')).toBe(true);
    expect(ctx.string('name')).toBe('foo');
    expect(ctx.string('dataset')).toBe('x');
  });

  it('refuses an unknown flag with the usage line instead of taking the next flag as its value', async () => {
    // Before the command table, `--jsn` swallowed `--db` as its value and the desktop app's
    // database (here: RNN_WORKBENCH_DB) was opened instead of x.db.
    const desktop = join(t.dir, 'desktop.db');
    const x = join(t.dir, 'x.db');
    const r = await withDefaultDb(desktop, () => raw('runs', '--jsn', '--db', x));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^unknown option --jsn$/m);
    expect(r.err).toContain('Usage: rnn-workbench runs [--dataset <id|name>] [--group-by <params|all>] [--json]');
    expect(r.out).toBe('');
    expect(existsSync(desktop)).toBe(false);
    expect(existsSync(x)).toBe(false);
    // A flag that needs a value, a value given to a switch, and an option of another command.
    expect((await cli('export', '1', '--out')).err).toMatch(
      /--out needs a value[\s\S]*Usage: rnn-workbench export <run> --out <dir>/,
    );
    expect((await cli('runs', '--json=yes')).err).toMatch(/--json takes no value/);
    const other = await cli('datasets', '--port', '80');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/unknown option --port[\s\S]*Usage: rnn-workbench datasets/);
    const extra = await cli('show', '1', '2');
    expect(extra.code).toBe(2);
    expect(extra.err).toMatch(/show expects 1 argument, got 2[\s\S]*Usage: rnn-workbench show <run>/);
    expect((await cli('stop', 'abc')).err).toMatch(
      /expected a run id, got "abc"[\s\S]*Usage: rnn-workbench stop <run>/,
    );
  });

  it('prints help per command and a list of commands, without opening a database', async () => {
    const desktop = join(t.dir, 'help.db');
    const train = await withDefaultDb(desktop, () => raw('train', '--help'));
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/^Usage: rnn-workbench train --dataset <id\|name>/);
    expect(train.out).toMatch(/--set key=value \.\.\.\s+set one spec field/);
    expect(train.out).toMatch(/--db <file>/);
    expect(train.out).not.toMatch(/--port/);
    const viaHelp = await withDefaultDb(desktop, () => raw('help', 'export'));
    expect(viaHelp.out).toMatch(/^Usage: rnn-workbench export <run> --out <dir>/);
    const top = await withDefaultDb(desktop, () => raw('--help'));
    expect(top.code).toBe(0);
    for (const name of [
      'import',
      'datasets',
      'train',
      'runs',
      'show',
      'compare',
      'stop',
      'resume',
      'export',
      'serve',
    ]) {
      expect(top.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const none = await withDefaultDb(desktop, () => raw());
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/Usage: rnn-workbench <command>/);
    expect(existsSync(desktop)).toBe(false);
  });

  it('prints a failure as one line without a stack trace', async () => {
    const notDb = join(t.dir, 'not-a-db.db');
    writeFileSync(notDb, 'this is not SQLite, and it must stay as it is\n'.repeat(100));
    const r = await raw('datasets', '--db', notDb);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^error: .*not-a-db\.db/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(readFileSync(notDb, 'utf8')).toMatch(/^this is not SQLite/);
  });

  it('imports, trains with --set and a spec file, lists, shows, compares and exports', async () => {
    const imp = await cli('import', join(t.dir, 'sine.csv'), '--name', 'sine');
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/dataset 1 "sine": 1200 rows, time column time/);

    const specFile = join(t.dir, 'spec.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        target: 'value',
        window: { lookback: 12 },
        model: { cell: 'lstm', layers: [{ units: 8 }] },
        train: { epochs: 2, learningRate: 0.01 },
      }),
    );
    const a = await cli('train', '--dataset', 'sine', '--spec', specFile);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/run 1 .*completed/);
    expect(a.out).toMatch(/mase/);
    const b = await cli(
      'train',
      '--dataset',
      '1',
      '--spec',
      specFile,
      '--set',
      'model.layers.0.units=4',
      '--set',
      'model.cell=gru',
      '--json',
    );
    expect(b.code).toBe(0);
    const runB = JSON.parse(b.out);
    expect(runB.spec.model).toMatchObject({ cell: 'gru', layers: [{ units: 4, dropout: 0 }] });

    const runs = await cli('runs', '--json');
    expect(JSON.parse(runs.out).map((r: { id: number }) => r.id)).toEqual([2, 1]);
    expect(JSON.parse(runs.out)[0].test['ets.mae']).toBeGreaterThan(0);
    const show = await cli('show', '1');
    expect(show.out).toMatch(/seasonal/);
    expect(show.out).toMatch(/metric\s+test\s+naive\s+seasonal\s+ets/);
    const cmp = await cli('compare', '1', '2');
    expect(cmp.out).toMatch(/model\.cell\s+lstm\s+gru/);
    expect(cmp.out).toMatch(/model\.layers\.0\.units\s+8\s+4/);
    expect(cmp.out).toMatch(/ets\.mase/);
    expect(cmp.out).not.toMatch(/different season lengths/);
    expect(
      (await cli('train', '--dataset', '1', '--spec', specFile, '--set', 'seasonLength=5', '--set', 'train.epochs=1'))
        .code,
    ).toBe(0);
    expect((await cli('compare', '1', '3')).out).toMatch(
      /warning: the runs' MASE use different season lengths \(24, 5\)/,
    );
    const out = join(t.dir, 'model-out');
    const exp = await cli('export', '1', '--out', out);
    expect(exp.code).toBe(0);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
    const onnxOut = join(t.dir, 'model-onnx');
    expect((await cli('export', '1', '--out', onnxOut, '--format', 'onnx')).code).toBe(0);
    expect(existsSync(join(onnxOut, 'model.onnx'))).toBe(true);
    expect((await cli('export', '1', '--out', onnxOut, '--format', 'pt')).err).toMatch(
      /--format is tfjs or onnx, not "pt"/,
    );
  });

  it('show prints the season and how it was found, ETS beside the baselines and the error per step ahead', async () => {
    const one = await cli('show', '1');
    expect(one.out).toMatch(/^ {4}season 24: hourly timestamps .*→ season 24, confirmed on the train split/m);
    expect(one.out).toMatch(/^ {4}the model (beats|loses to|ties with) .*ETS/m);
    expect(one.out).toMatch(/^ {4}ETS baseline for value: .*AICc/m);
    expect(one.out).not.toMatch(/per step ahead/); // horizon 1
    const specFile = join(t.dir, 'spec-h3.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        target: 'value',
        window: { lookback: 12, horizon: 3 },
        model: { layers: [{ units: 4 }] },
        train: { epochs: 1 },
      }),
    );
    const h3 = await cli('train', '--dataset', '1', '--spec', specFile, '--json');
    const id = String(JSON.parse(h3.out).id);
    const show = await cli('show', id);
    expect(show.out).toMatch(/MAE per step ahead:\n\s+step\s+test\s+naive\s+seasonal\s+ets\n\s+1\s+[\d.]+/);
    expect(show.out).toMatch(/^\s+3\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(show.out).not.toMatch(/mae@/); // per-step scores are not rows of the pooled table
    const json = JSON.parse((await cli('show', id, '--json')).out);
    expect(json.seasonHow).toMatch(/season 24/);
    expect(json.test['ets.mae@3']).toBeGreaterThan(0);
    expect(json.testNotes.join('\n')).toMatch(/ETS baseline/);
  });

  it('says what is wrong, with a non-zero exit', async () => {
    const bad = await cli('train', '--dataset', 'sine', '--set', 'target=nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown column "nope".*\[spec\.target\]/);
    const noDs = await cli('train', '--dataset', 'missing');
    expect(noDs.err).toMatch(/no dataset "missing"/);
    const usage = await cli('frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/unknown command "frobnicate"/);
    const resume = await cli('resume', '1');
    expect(resume.err).toMatch(/run 1 is completed; only interrupted, stopped or failed runs can be resumed/);
  });

  it('shows and sets the trainer limit per database; runs says why a queued run waits', async () => {
    const set = await cli('settings', '--max-trainers', '1');
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/^max trainers: 1 \(default on this machine: \d+\)$/);
    const shown = JSON.parse((await cli('settings', '--json')).out);
    expect(shown).toMatchObject({ maxTrainers: 1, maxTrainersSet: true });
    const bad = await cli('settings', '--max-trainers', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-trainers expects a whole number from 1 to 64 or "default", got "0"/);
    const reset = await cli('settings', '--max-trainers', 'default');
    expect(reset.out).toMatch(/the default: one per two cores/);

    // A queued run as a host that holds it records it (the service's queue is tested in test/faults/trainer-queue.test.ts).
    const raw = openDb(db);
    raw
      .prepare(
        `UPDATE runs SET status = 'queued', wait_reason = 'waiting: 1 of 1 trainer slot busy (run 1)', heartbeat = ? WHERE id = 2`,
      )
      .run(Date.now());
    raw.close();
    // runs and show open the database read-only: they leave the queued row as it is.
    const runs = await cli('runs');
    expect(runs.out).toMatch(/^run 2: waiting: 1 of 1 trainer slot busy \(run 1\)$/m);
    const show = await cli('show', '2');
    expect(show.out).toMatch(/run 2 .*: queued — waiting: 1 of 1 trainer slot busy \(run 1\)/);
  });

  it('the bin runs the CLI', () => {
    const help = execFileSync(process.execPath, ['bin/rnn-workbench.js', '--help'], {
      encoding: 'utf8',
      env: { ...process.env, RNN_WORKBENCH_SOURCE: '1' },
    });
    expect(help).toMatch(/Usage: rnn-workbench <command>/);
  });
});
