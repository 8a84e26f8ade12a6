// Measures the runs table and first paint in real Chromium: `npx tsx test/e2e/runs-table.ts`.
// Imports the sample CSV with the real service, writes RUNS runs (default 1,000, plus a 50-run
// database for comparison) straight into the SQLite file as finished runs with metrics, serves the
// built renderer and reports: first contentful paint of the app, and the time from clicking the
// Runs tab until the table shows every run, with the main thread's CPU time for that switch and
// for 60 frames of scrolling down and sideways (median of REPS; with STATIC_DIRS=a:b, repetitions
// alternate between the builds). Not part of `npm test`; figures go in the notes (issue 14).
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

/** One page load on `url`: its first contentful paint and the Runs tab switch, in ms. */
async function measureOnce(
  browser: Awaited<ReturnType<typeof launchChromium>>,
  url: string,
  n: number,
  shots: boolean,
): Promise<{ fcp: number; table: number; cpu: number; scrollCpu: number }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    page.on('pageerror', (e) => console.log('pageerror', e.message));
    await page.goto(url);
    await page.getByTestId('nav-runs').waitFor();
    // Page scripts as strings: tsx's name helpers (__name) do not exist in the page.
    const fcp = (await page.evaluate(`new Promise((done) => {
      const get = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
      const poll = () => (get() !== undefined ? done(get()) : setTimeout(poll, 20));
      poll();
    })`)) as number;
    // Wait until the app has the runs and its pages (the Datasets page shows first; the other
    // pages' chunks are fetched in the background), then time the tab switch.
    await page.waitForTimeout(2000);
    // The main thread's CPU time over the switch too: on a shared machine the wall time mostly
    // measures the other processes; the CPU time the page itself spent is steadier.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const threadTime = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
    const cpu0 = await threadTime();
    const table = (await page.evaluate(`(async () => {
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
    const cpu = 1000 * ((await threadTime()) - cpu0);
    // Scrolling: 60 frames, each 8 rows down and sideways by 200 px and back, so rows are
    // rendered anew and the cells kept at the left move against the rest every frame.
    const scroll0 = await threadTime();
    await page.evaluate(`(async () => {
      const s = document.querySelector('[data-testid="runs-table-scroller"]');
      for (let i = 0; i < 60; i++) {
        s.scrollTop += 256;
        s.scrollLeft = (i % 2) * 200;
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      s.scrollTo(0, 0);
    })()`);
    const scrollCpu = 1000 * ((await threadTime()) - scroll0);
    if (shots) {
      await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', `runs-table-${n}.png`) });
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.evaluate(`document.querySelector('[data-testid="runs-table-scroller"]')?.scrollTo(400, 0)`);
      await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', `runs-table-${n}-1024.png`) });
    }
    return { fcp, table, cpu, scrollCpu };
  } finally {
    await page.close();
  }
}

/**
 * `n` runs in one database, served by one server per build in `dirs`; the repetitions alternate
 * between the builds (a, b, a, b, ...), so a shared machine's changing load weighs on both alike.
 */
async function measure(
  n: number,
  dirs: readonly string[],
): Promise<{ dir: string; fcp: number[]; table: number[]; cpu: number[]; scrollCpu: number[] }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-runs-table-'));
  const dbPath = join(dir, 'w.db');
  const first = createService({ dbPath, host: 'server' });
  const imported = await first.call('datasets.import', { path: join(root, 'samples', 'city-energy.csv') });
  if (!imported.ok) throw new Error(imported.error.message);
  await first.close();
  seedRuns(dbPath, imported.value.id, 'load_mw', n);
  const hosts = await Promise.all(
    dirs.map(async (d) => {
      const service = createService({ dbPath, host: 'server' });
      return { d, service, server: await startServer({ service, staticDir: d }) };
    }),
  );
  const browser = await launchChromium();
  const out = dirs.map((d) => ({
    dir: d,
    fcp: [] as number[],
    table: [] as number[],
    cpu: [] as number[],
    scrollCpu: [] as number[],
  }));
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const [k, h] of hosts.entries()) {
        const r = await measureOnce(browser, h.server.url, n, rep === 0 && k === 0);
        out[k]!.fcp.push(r.fcp);
        out[k]!.table.push(r.table);
        out[k]!.cpu.push(r.cpu);
        out[k]!.scrollCpu.push(r.scrollCpu);
      }
    }
    return out;
  } finally {
    await browser.close();
    for (const h of hosts) {
      await h.server.close();
      await h.service.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  ensureRendererBuilt(root);
  // STATIC_DIRS=a:b measures other builds too (before/after), interleaved on the same machine load.
  const dirs = (process.env.STATIC_DIRS ?? join(root, 'dist', 'renderer')).split(':');
  for (const n of (process.env.NS ?? '50,1000').split(',').map(Number)) {
    const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
    for (const r of await measure(n, dirs)) {
      console.log(
        `${String(n).padStart(5)} runs: first contentful paint ${median(r.fcp).toFixed(0)} ms, Runs tab → table painted ${median(r.table).toFixed(0)} ms (median of ${REPS}: ${r.table.map((x) => x.toFixed(0)).join(', ')}), main-thread CPU ${median(r.cpu).toFixed(1)} ms (${r.cpu.map((x) => x.toFixed(0)).join(', ')}), scrolling 60 frames ${median(r.scrollCpu).toFixed(1)} ms CPU (${r.scrollCpu.map((x) => x.toFixed(0)).join(', ')}); load ${load} [${r.dir}]`,
      );
    }
  }
}
