// A database that cannot be opened, as a user meets it: a copy cut short (the first 1000 bytes of
// a real database, one cut mid-page), a damaged page, another program's SQLite file, a folder, a
// mistyped --db, a database in a read-only folder. Each must give one line naming the file and what
// to do, never a stack trace; a truncated file is damaged, not "not a Recurrent Workbench
// database"; commands that only read work in a read-only folder; a mistyped --db creates nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';
import { runCli, type CliResult } from '../core/cli-harness.js';

const t = tempDir('rnnwb-dbopen-');
const real = join(t.dir, 'real.db');
const undo: (() => void)[] = [];
afterAll(() => {
  for (const u of undo.reverse()) u();
  t.cleanup();
});

/** The CLI in-process with its console captured. */
const cli = (...args: string[]): Promise<CliResult> => runCli(args);

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A failure printed the way a user must see it: exit 1, one line, no stack. */
function oneLine(r: { code: number; err: string }): string {
  expect(r.code).toBe(1);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at |Error:/);
  return r.err;
}

/** A copy of the real database cut to `bytes`. */
function cut(name: string, bytes: number): string {
  const file = join(t.dir, name);
  writeFileSync(file, readFileSync(real).subarray(0, bytes));
  return file;
}

beforeAll(async () => {
  // A real database: one imported dataset and one trained run, closed cleanly (no -wal left).
  const csv = sineCsv(t.dir, 300);
  const svc = createService({ dbPath: real });
  try {
    const ds = await svc.call('datasets.import', { path: csv });
    if (!ds.ok) throw new Error(ds.error.message);
    const run = await svc.call('runs.create', {
      datasetId: ds.value.id,
      spec: tinySpec({ train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 } }),
    });
    if (!run.ok) throw new Error(run.error.message);
    await svc.waitForRun(run.value.id);
  } finally {
    await svc.close();
  }
  expect(existsSync(`${real}-wal`)).toBe(false);
}, 120_000);

describe('a truncated database', () => {
  it('is called damaged and truncated, not "not a Recurrent Workbench database", and left untouched', async () => {
    const size = readFileSync(real).length;
    const pageSize = readFileSync(real).readUInt16BE(16);
    const cases = [
      {
        file: cut('first-1000.db', 1000),
        detail: `truncated: 1,000 bytes of the ${size.toLocaleString('en-US')} bytes its header records`,
      },
      { file: cut('half.db', (size / pageSize / 2) * pageSize), detail: 'truncated: ' },
      // Cut mid-page near the end: SQLite itself opens this and fails only in a later query.
      { file: cut('mid-page.db', size - 1000), detail: 'truncated: ' },
      { file: cut('header-only.db', 40), detail: 'truncated: 40 bytes, shorter than the 100-byte header' },
    ];
    for (const { file, detail } of cases) {
      const before = sha(file);
      for (const args of [['runs'], ['show', '1'], ['datasets'], ['import', join(t.dir, 'sine.csv')]]) {
        const line = oneLine(await cli(...args, '--db', file));
        expect(line).toContain(`error: ${file} is damaged (${detail}`);
        expect(line).toMatch(/restore it from a backup/);
        expect(line).not.toMatch(/not a Recurrent Workbench database/);
      }
      expect(sha(file)).toBe(before);
    }
  });

  it('prints one line and no stack trace from the real command', () => {
    const file = cut('bin.db', 1000);
    const r = spawnSync(process.execPath, ['bin/rnn-workbench.js', 'runs', '--db', file], {
      encoding: 'utf8',
      env: { ...process.env, RNN_WORKBENCH_SOURCE: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^error: ${file.replace(/[.]/g, '\\.')} is damaged \\(truncated`)),
    ]);
  });
});

describe('a damaged page found by a query', () => {
  it('names the file as damaged instead of printing SQLite\'s bare "database disk image is malformed"', async () => {
    const file = join(t.dir, 'bad-page.db');
    copyFileSync(real, file);
    const raw = new Database(file, { readonly: true });
    const root = (
      raw.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'dataset_columns'`).get() as { rootpage: number }
    ).rootpage;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(file);
    bytes.fill(0xab, (root - 1) * pageSize, root * pageSize);
    writeFileSync(file, bytes);
    const line = oneLine(await cli('datasets', '--db', file));
    expect(line).toMatch(
      new RegExp(
        `^error: ${file.replace(/[.]/g, '\\.')} is damaged \\(database disk image is malformed\\): restore it from a backup`,
      ),
    );
  });
});

describe('files that are not a Recurrent Workbench database', () => {
  it("refuses another program's SQLite file without migrating into it", async () => {
    const file = join(t.dir, 'other-app.sqlite');
    const other = new Database(file);
    other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ada')");
    other.close();
    const before = sha(file);
    for (const args of [['runs'], ['import', join(t.dir, 'sine.csv')]]) {
      const line = oneLine(await cli(...args, '--db', file));
      expect(line).toMatch(/is an SQLite database of another program \(tables: contacts\)/);
    }
    expect(sha(file)).toBe(before);
  });

  it('names a folder given as --db', async () => {
    const line = oneLine(await cli('runs', '--db', t.dir));
    expect(line).toBe(`error: ${t.dir} is a folder, not a database file: name the .db file itself`);
  });
});

describe('a mistyped --db', () => {
  it('creates no database and no folder for a command that needs an existing database', async () => {
    const typo = join(t.dir, 'tpyo', 'nested', 'workbnech.db');
    for (const args of [
      ['runs'],
      ['show', '1'],
      ['datasets'],
      ['compare', '1', '2'],
      ['train', '--dataset', '1'],
      ['stop', '1'],
      ['resume', '1'],
      ['export', '1', '--out', join(t.dir, 'x')],
    ]) {
      const line = oneLine(await cli(...args, '--db', typo));
      expect(line).toBe(
        `error: no database at ${typo} (nothing was created): check the --db path, or create one there with: rnn-workbench import <file.csv> --db ${typo}`,
      );
    }
    expect(existsSync(join(t.dir, 'tpyo'))).toBe(false);
    expect(existsSync(join(t.dir, 'x'))).toBe(false);
  });
});

/** Makes `dir` read-only for real: a read-only bind mount as root (chmod does not stop root), chmod 0555 otherwise. */
function makeReadOnly(dir: string): string | undefined {
  if (process.platform === 'win32') return 'no read-only folder on Windows in this test';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' });
    } catch (e) {
      return `running as root and cannot bind-mount (${String((e as { stderr?: unknown }).stderr ?? e).trim()})`;
    }
    undo.push(() => execFileSync('umount', [dir]));
    try {
      execFileSync('mount', ['-o', 'remount,ro,bind', dir], { stdio: 'pipe' });
    } catch (e) {
      return `running as root and cannot remount read-only (${String((e as { stderr?: unknown }).stderr ?? e).trim()})`;
    }
  } else {
    chmodSync(dir, 0o555);
    undo.push(() => chmodSync(dir, 0o755));
  }
  try {
    writeFileSync(join(dir, 'probe'), '');
    return 'the folder is still writable after making it read-only';
  } catch {
    return undefined;
  }
}

describe('a database in a read-only folder', () => {
  it('answers runs, show, datasets and compare, and says why import and stop cannot write', async (ctx) => {
    const dir = join(t.dir, 'readonly');
    mkdirSync(dir);
    const file = join(dir, 'workbench.db');
    copyFileSync(real, file);
    const why = makeReadOnly(dir);
    if (why) {
      console.warn(`skipped: ${why}`);
      ctx.skip();
      return;
    }
    const before = sha(file);
    const runs = await cli('runs', '--json', '--db', file);
    expect(runs.err).toBe('');
    expect(JSON.parse(runs.out).map((r: { id: number; status: string }) => [r.id, r.status])).toEqual([
      [1, 'completed'],
    ]);
    const show = await cli('show', '1', '--db', file);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/run 1 .*completed/);
    const datasets = await cli('datasets', '--json', '--db', file);
    expect(datasets.code).toBe(0);
    expect(JSON.parse(datasets.out)).toHaveLength(1);
    expect((await cli('compare', '1', '1', '--db', file)).code).toBe(0);
    for (const args of [
      ['import', join(t.dir, 'sine.csv')],
      ['stop', '1'],
    ]) {
      const line = oneLine(await cli(...args, '--db', file));
      expect(line).toMatch(
        new RegExp(
          `^error: cannot write ${file.replace(/[.]/g, '\\.')} \\((read-only file system|permission denied)\\): commands that only read it`,
        ),
      );
    }
    expect(readdirSync(dir)).toEqual(['workbench.db']);
    expect(sha(file)).toBe(before);
  });
});
