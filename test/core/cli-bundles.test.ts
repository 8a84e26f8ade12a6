// `show --predictions`, `bundle` and `import-bundle` in-process (the bin's code path, output
// captured) on real temp databases seeded the way the trainer writes them.
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli.js';
import { openDb } from '../../db/open.js';
import { seedDataset, seedRun } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-cli-bundles-');
afterAll(() => t.cleanup());

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const source = join(t.dir, 'a.db');
{
  const db = openDb(source);
  const ds = seedDataset(db);
  seedRun(db, ds, { seed: 1, weights: 100 });
  seedRun(db, ds, { seed: 2, weights: 100 });
  db.close();
}

describe('CLI: predictions and bundles', () => {
  it('show --json --predictions adds the stored test predictions; without --json it prints them as CSV', async () => {
    const j = await run('show', '1', '--json', '--predictions', '--db', source);
    expect(j.code).toBe(0);
    const shown = JSON.parse(j.out) as {
      id: number;
      predictions: { outputs: string[]; actual: number[]; time: number[] };
    };
    expect(shown.id).toBe(1);
    expect(shown.predictions.outputs).toEqual(['value@1']);
    expect(shown.predictions.actual).toHaveLength(50);
    const c = await run('show', '1', '--predictions', '--db', source);
    const lines = c.out.trim().split('\n');
    expect(lines[0]).toBe('run_id,run_name,split,time,series,output,actual,predicted,naive,seasonal,ets');
    expect(lines).toHaveLength(51);
    expect(lines[1]).toMatch(
      /^1,run 1,test,2024-02-01T00:00:00.000Z,,value@1,-?[\d.e-]+,-?[\d.e-]+,-?[\d.e-]+,-?[\d.e-]+,$/,
    );
  });

  it('bundles runs into a file and imports it into a new database, then skips them on a second import', async () => {
    const file = join(t.dir, 'two.rnnwb');
    const b = await run('bundle', '1', '2', '--out', file, '--db', source);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(new RegExp(`^bundled 2 run\\(s\\) and 1 dataset\\(s\\) into ${file} \\([\\d,]+ bytes\\)$`));
    const target = join(t.dir, 'b.db');
    const i = await run('import-bundle', file, '--db', target);
    expect(i.code).toBe(0);
    expect(i.out).toBe(
      `added run 1 "run 1"\nadded run 2 "run 2"\n${file}: 2 added, 0 updated, 0 skipped; datasets: 1 added, 0 already here`,
    );
    const again = await run('import-bundle', file, '--db', target, '--json');
    expect(JSON.parse(again.out)).toMatchObject({ added: [], skipped: [{ id: 1 }, { id: 2 }] });
  });

  it('refuses a --no-data bundle where the dataset is missing, in one line', async () => {
    const file = join(t.dir, 'nodata.rnnwb');
    expect((await run('bundle', '1', '--out', file, '--no-data', '--db', source)).out).toContain('(without data)');
    const r = await run('import-bundle', file, '--db', join(t.dir, 'c.db'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: .*nodata\.rnnwb was made without data \(--no-data\) and this database has no dataset "sine" .*: import that CSV here first, or ask for a bundle with its data \[dataset\]$/,
    );
  });

  it('bundle needs --out', async () => {
    const r = await run('bundle', '1', '--db', source);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bundle needs --out <file.rnnwb>');
  });
});
