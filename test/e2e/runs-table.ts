// Measures the runs table and first paint in real Chromium: `npx tsx test/e2e/runs-table.ts`.
// Imports the sample CSV with the real service, writes RUNS runs (default 1,000, plus a 50-run
// database for comparison) straight into the SQLite file as finished runs with metrics, serves the
// built renderer and reports: first contentful paint of the app, and the time from clicking the
// Runs tab until the table shows every run (median of REPS). Not part of `npm test`; figures go in
// the notes (issue 14).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunSpecSchema } from '../../core/contract.js';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { flattenSpec } from '../../core/spec.js';
import { logEpoch } from '../../db/metrics.js';
import { openDb } from '../../db/open.js';
import { finishRun, insertRun, markStarted, setTestMetrics } from '../../db/runs.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const REPS = Number(process.env.REPS ?? 5);
const root = join(import.meta.dirname, '..', '..');
const CELLS = ['lstm', 'gru', 'simpleRNN'] as const;

/** `n` finished runs on dataset 1 over a grid of cells × units × seeds, with val_loss curves and test metrics. */
export function seedRuns(dbPath: string, datasetId: number, target: string, n: number): void {
  const db = openDb(dbPath);
  try {
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const cell = CELLS[i % 3]!;
        const units = [8, 16, 32, 64][Math.floor(i / 3) % 4]!;
        const seed = 1 + Math.floor(i / 12);
        const spec = RunSpecSchema.parse({ target, train: { seed }, model: { cell, layers: [{ units }] } });
        const id = insertRun(db, {
          name: `${cell}-${units}-s${seed}`,
          datasetId,
          spec: JSON.stringify(spec),
          seed,
          params: flattenSpec(spec),
          tags: i % 10 === 0 ? ['sweep'] : [],
        });
        markStarted(db, id, {
          pid: process.pid,
          backend: 'wasm',
          device: 'cpu',
          impl: 'fused-wasm',
          paramCount: 100 * units,
        });
        const base = 1 / units + ((i * 7919) % 100) / 1000;
        for (let e = 1; e <= 3; e++) logEpoch(db, id, e, e, { loss: base * (4 - e), val_loss: base * (5 - e) }, 0);
        setTestMetrics(db, id, { 'test.rmse': base * 100, 'test.mase': base * 8, 'test.mae': base * 80 });
        finishRun(db, id, 'completed');
      }
    })();
  } finally {
    db.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(n: number, staticDir?: string): Promise<{ n: number; fcp: number; table: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-runs-table-'));
  const dbPath = join(dir, 'w.db');
  const service = createService({ dbPath, host: 'server' });
  const server = await startServer({ service, staticDir });
  const browser = await launchChromium();
  try {
    const imported = await service.call('datasets.import', { path: join(root, 'samples', 'city-energy.csv') });
    if (!imported.ok) throw new Error(imported.error.message);
    seedRuns(dbPath, imported.value.id, 'load_mw', n);
    const fcps: number[] = [];
    const tables: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.on('pageerror', (e) => console.log('pageerror', e.message));
      await page.goto(server.url);
      await page.getByTestId('nav-runs').waitFor();
      // Page scripts as strings: tsx's name helpers (__name) do not exist in the page.
      fcps.push(
        (await page.evaluate(`new Promise((done) => {
          const get = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
          const poll = () => (get() !== undefined ? done(get()) : setTimeout(poll, 20));
          poll();
        })`)) as number,
      );
      // Wait until the app has the runs and its pages (the Datasets page shows first; the other
      // pages' chunks are fetched in the background), then time the tab switch.
      await page.waitForTimeout(2000);
      const t = (await page.evaluate(`(async () => {
        const t0 = performance.now();
        document.querySelector('[data-testid="nav-runs"]').click();
        await new Promise((done) => {
          const poll = () => {
            const c = document.querySelector('[data-testid="runs-count"]')?.textContent ?? '';
            if (c.includes('${n} of ${n}') && document.querySelector('[data-testid="run-row"]')) done();
            else requestAnimationFrame(poll);
          };
          poll();
        });
        // Two frames after the DOM is there: the table has been painted.
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return performance.now() - t0;
      })()`)) as number;
      tables.push(t);
      if (rep === 0) {
        await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', `runs-table-${n}.png`) });
        await page.setViewportSize({ width: 1024, height: 700 });
        await page.evaluate(`document.querySelector('[data-testid="runs-table-scroller"]')?.scrollTo(400, 0)`);
        await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', `runs-table-${n}-1024.png`) });
      }
      await page.close();
    }
    return { n, fcp: median(fcps), table: median(tables) };
  } finally {
    await browser.close();
    await server.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  ensureRendererBuilt(root);
  // STATIC_DIRS=a:b measures other builds too (before/after), interleaved on the same machine load.
  const dirs = (process.env.STATIC_DIRS ?? join(root, 'dist', 'renderer')).split(':');
  for (const n of (process.env.NS ?? '50,1000').split(',').map(Number)) {
    for (const d of dirs) {
      const r = await measure(n, d);
      console.log(
        `${String(r.n).padStart(5)} runs: first contentful paint ${r.fcp.toFixed(0)} ms, Runs tab → table painted ${r.table.toFixed(0)} ms (median of ${REPS}) [${d}]`,
      );
    }
  }
}
