// Issue 10, data safety 8: an export never overwrites an earlier one unless asked, never leaves a
// half-written folder, and a folder that cannot be created fails at once. Real service, real
// trainer and export workers, real folders; the full-disk case uses a real small tmpfs (root only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createService, type Service } from '../../core/service.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';

const t = tempDir();
let svc: Service;
let runId = 0;

beforeAll(async () => {
  svc = createService({ dbPath: join(t.dir, 'export.db') });
  const ds = await svc.call('datasets.import', { path: sineCsv(t.dir, 300) });
  if (!ds.ok) throw new Error(ds.error.message);
  // 64 units: weights.bin (~70 KB) is larger than the small tmpfs below, model.json is not.
  // One network: auto would make this short stationary sine an ensemble, with two more files.
  const spec = tinySpec({
    normalize: 'global',
    model: { cell: 'lstm', layers: [{ units: 64 }] },
    train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0, maxBatchesPerEpoch: 2 },
  });
  const run = await svc.call('runs.create', { datasetId: ds.value.id, spec });
  if (!run.ok) throw new Error(run.error.message);
  runId = run.value.id;
  await svc.waitForRun(runId);
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('export faults', () => {
  it('refuses to overwrite an existing export unless force is given, and never touches other files', async () => {
    const out = join(t.dir, 'model');
    const first = await svc.call('runs.export', { id: runId, outDir: out });
    expect(first.ok).toBe(true);
    writeFileSync(join(out, 'mine.txt'), 'keep me');
    writeFileSync(join(out, 'weights.bin'), 'an older export');
    const again = await svc.call('runs.export', { id: runId, outDir: out });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', field: 'outDir' } });
    if (!again.ok) expect(again.error.message).toMatch(/already holds an export \(.*weights\.bin.*\).*force/);
    expect(readFileSync(join(out, 'weights.bin'), 'utf8')).toBe('an older export');
    const forced = await svc.call('runs.export', { id: runId, outDir: out, force: true });
    expect(forced.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['mine.txt', 'model.json', 'preprocessing.json', 'weights.bin']);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(out, 'weights.bin')).length).toBeGreaterThan(1000);
    expect(readdirSync(t.dir).filter((f) => f.includes('.export-'))).toEqual([]);
  });

  it('exports into an existing folder without an export in it (a dialog may have chosen it)', async () => {
    const out = join(t.dir, 'chosen');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await svc.call('runs.export', { id: runId, outDir: out });
    expect(r.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['model.json', 'notes.txt', 'preprocessing.json', 'weights.bin']);
  });

  it('fails at once with a message on a folder that cannot be created (/proc), leaving nothing', async () => {
    if (!existsSync('/proc/self')) return console.log('skipped: no /proc on this system');
    const started = Date.now();
    const r = await Promise.race([
      svc.call('runs.export', { id: runId, outDir: '/proc/rnnwb-export/model' }),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
    ]);
    expect(r).not.toBe('timeout');
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'outDir' } });
    if (r !== 'timeout' && !r.ok)
      expect(r.error.message).toMatch(/cannot create the export folder \/proc\/rnnwb-export\/model/);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);

  it('leaves nothing half-written when the disk fills during the export', async (ctx) => {
    const mnt = join(t.dir, 'small');
    mkdirSync(mnt);
    try {
      if (process.getuid?.() !== 0) throw new Error('not root');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', mnt]);
    } catch (e) {
      console.log(`skipped: a small tmpfs needs root and mount (${(e as Error).message.split('\n')[0]})`);
      rmdirSync(mnt);
      return ctx.skip();
    }
    try {
      const r = await svc.call('runs.export', { id: runId, outDir: join(mnt, 'model') });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/ENOSPC|no space/i);
      expect(readdirSync(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
