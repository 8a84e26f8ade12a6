// The CLI in-process (same code path as the bin, output captured) on a real temp database.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { main, parseArgv } from '../../core/cli.js';
import { sineCsv, tempDir } from '../helpers.js';

const t = tempDir();
const db = join(t.dir, 'cli.db');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main([...args, '--db', db]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(() => sineCsv(t.dir));
afterAll(() => t.cleanup());

describe('rnn-workbench CLI', () => {
  it('parses flags, repeated --set and key=value forms', () => {
    const p = parseArgv(['train', '--dataset', 'x', '--set', 'a.b=1', '--set', 'c=2', '--json', '--name=foo']);
    expect(p.positional).toEqual(['train']);
    expect(p.flags.get('set')).toEqual(['a.b=1', 'c=2']);
    expect(p.flags.get('json')).toEqual(['true']);
    expect(p.flags.get('name')).toEqual(['foo']);
  });

  it('imports, trains with --set and a spec file, lists, shows, compares and exports', async () => {
    const imp = await cli('import', join(t.dir, 'sine.csv'), '--name', 'sine');
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/dataset 1 "sine": 1200 rows, time column time/);

    const specFile = join(t.dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ target: 'value', window: { lookback: 12 }, model: { layers: [{ units: 8 }] }, train: { epochs: 2, learningRate: 0.01 } }));
    const a = await cli('train', '--dataset', 'sine', '--spec', specFile);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/run 1 .*completed/);
    expect(a.out).toMatch(/mase/);
    const b = await cli('train', '--dataset', '1', '--spec', specFile, '--set', 'model.layers.0.units=4', '--set', 'model.cell=gru', '--json');
    expect(b.code).toBe(0);
    const runB = JSON.parse(b.out);
    expect(runB.spec.model).toMatchObject({ cell: 'gru', layers: [{ units: 4, dropout: 0 }] });

    const runs = await cli('runs', '--json');
    expect(JSON.parse(runs.out).map((r: { id: number }) => r.id)).toEqual([2, 1]);
    const show = await cli('show', '1');
    expect(show.out).toMatch(/seasonal/);
    const cmp = await cli('compare', '1', '2');
    expect(cmp.out).toMatch(/model\.cell\s+lstm\s+gru/);
    expect(cmp.out).toMatch(/model\.layers\.0\.units\s+8\s+4/);
    const out = join(t.dir, 'model-out');
    const exp = await cli('export', '1', '--out', out);
    expect(exp.code).toBe(0);
    expect(existsSync(join(out, 'model.json'))).toBe(true);
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

  it('the bin runs the CLI', () => {
    const help = execFileSync(process.execPath, ['bin/rnn-workbench.js', '--help'], { encoding: 'utf8', env: { ...process.env, RNN_WORKBENCH_SOURCE: '1' } });
    expect(help).toMatch(/Usage: rnn-workbench <command>/);
  });
});
