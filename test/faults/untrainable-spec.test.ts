// Issue 10, bad input on real files: a spec that can never train is refused before a run is
// stored (docs/runspec.md), windows that do not fit are worded per series, and a series too
// short to train while others are fine is reported in the run log. Real service, real CSV
// imports, a real trainer process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { RunLog } from '../../core/contract.js';
import { createService, type Service } from '../../core/service.js';
import { noise, tempDir, tinySpec, writeFile } from '../helpers.js';

const t = tempDir();
let svc: Service;

async function importCsv(name: string, lines: string[]): Promise<number> {
  const r = await svc.call('datasets.import', { path: writeFile(t.dir, name, lines.join('\n') + '\n') });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

/** Long-format rows `time,sym,value` for the given series lengths. */
function longFormat(sizes: Record<string, number>): string[] {
  const rnd = noise(3);
  const lines = ['time,sym,value'];
  for (const [sym, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++)
      lines.push(
        `${new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${sym},${(Math.sin(i / 3) + 0.1 * rnd()).toFixed(4)}`,
      );
  }
  return lines;
}

const runCount = async () => {
  const r = await svc.call('runs.list', {});
  return r.ok ? r.value.length : -1;
};

beforeAll(() => {
  svc = createService({ dbPath: join(t.dir, 'specs.db') });
});
afterAll(async () => {
  await svc.close();
  t.cleanup();
});

describe('specs that can never train', () => {
  it('refuses an all-empty target and classify on a numeric column before storing a run', async () => {
    const rnd = noise(5);
    const lines = ['time,value,empty'];
    for (let i = 0; i < 200; i++)
      lines.push(
        `2024-01-01T${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${(10 + rnd()).toFixed(4)},`,
      );
    const ds = await importCsv('empty-target.csv', lines);

    const empty = await svc.call('runs.create', { datasetId: ds, spec: tinySpec({ target: 'empty' }) });
    expect(empty).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'spec.target' } });
    if (!empty.ok) expect(empty.error.message).toMatch(/column "empty"/);

    const classify = await svc.call('runs.create', {
      datasetId: ds,
      spec: tinySpec({ task: 'classify', target: 'value', features: ['value'] }),
    });
    expect(classify).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'spec.target' } });
    if (!classify.ok)
      expect(classify.error.message).toMatch(/column "value" is numeric with .*classify needs a categorical column/);

    expect(await runCount()).toBe(0);
  });

  it('words a lookback that does not fit per series, naming them, and stores no run', async () => {
    const ds = await importCsv('three.csv', longFormat({ A: 16, B: 16, C: 16 }));
    const r = await svc.call('runs.create', {
      datasetId: ds,
      spec: tinySpec({ series: 'sym', window: { lookback: 11, horizon: 1 } }),
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'spec.window.lookback' } });
    if (!r.ok)
      expect(r.error.message).toMatch(
        /needs 12 rows in a series' train split, but the train split of each series has at most 11 rows \(series A 11, B 11, C 11\)/,
      );
    expect(await runCount()).toBe(0);
  });

  it('reports a series too short for any training window in the run log', async () => {
    const ds = await importCsv('mixed.csv', longFormat({ A: 200, B: 20 }));
    const logs: RunLog[] = [];
    const off = svc.on('run:log', (l) => logs.push(l));
    const spec = tinySpec({
      series: 'sym',
      window: { lookback: 20, horizon: 1 },
      train: { epochs: 1, batchSize: 64, learningRate: 0.01, patience: 0 },
    });
    const run = await svc.call('runs.create', { datasetId: ds, spec });
    if (!run.ok) throw new Error(run.error.message);
    await svc.waitForRun(run.value.id);
    off();
    const warn = logs.find((l) => l.level === 'warn' && /too few train rows/.test(l.message));
    expect(warn?.message, logs.map((l) => l.message).join('\n')).toMatch(
      /1 of 2 series has too few train rows for lookback 20 \+ horizon 1 \(needs 21\): series B 14/,
    );
  }, 120_000);
});
