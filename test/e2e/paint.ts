// Measures the renderer in Chromium: `npx tsx test/e2e/paint.ts`. First paint and first contentful
// paint of the app (median of 5 loads, from the browser's paint timing entries) and how long Compare
// takes to show 50 completed runs (from the click on "Compare selected" to its metrics table and
// charts painted; median and fastest of 5: on a shared machine the fastest is the steadier
// figure). The runs are seeded into SQLite (test/e2e/seed.ts), not trained.
// Not part of `npm test`; the numbers go in the notes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { seedRuns } from './seed.js';

const RUNS = Number(process.env.RUNS ?? 50);
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'wb-paint-'));
const dbPath = join(dir, 'w.db');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const frames = (page: Page) =>
  page.evaluate(
    () =>
      new Promise((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r))),
  );

ensureRendererBuilt(root);
let service = createService({ dbPath, host: 'server' });
const imported = await service.call('datasets.import', { path: join(root, 'samples', 'city-energy.csv') });
if (!imported.ok) throw new Error(imported.error.message);
await service.close();
const t0 = Date.UTC(2024, 0, 1);
const time = Array.from({ length: 400 }, (_, i) => t0 + i * 3_600_000);
const actual = time.map((_, i) => 1000 + 200 * Math.sin(i / 24));
seedRuns(
  dbPath,
  Array.from({ length: RUNS }, (_, i) => ({
    name: `run-${i + 1}`,
    datasetId: imported.value.id,
    target: 'load_mw',
    time,
    actual,
    offset: 5 + i,
  })),
);
service = createService({ dbPath, host: 'server' });
const server = await startServer({ service });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(server.url); // sets the cookie; later loads reuse it
  const fp: number[] = [];
  const fcp: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${server.url.split('?')[0]}#/datasets`, { waitUntil: 'load' });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByTestId('dataset-title').waitFor();
    await frames(page);
    const p = await page.evaluate(() =>
      Object.fromEntries((performance as any).getEntriesByType('paint').map((e: any) => [e.name, e.startTime])),
    );
    fp.push(p['first-paint'] ?? NaN);
    fcp.push(p['first-contentful-paint'] ?? NaN);
  }
  console.log(
    `first paint ${median(fp).toFixed(0)} ms, first contentful paint ${median(fcp).toFixed(0)} ms (median of 5: ${fcp.map((x) => x.toFixed(0)).join(', ')})`,
  );
  const compare: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('run-row').first().waitFor();
    const all = page.getByLabel('Select all shown runs');
    if (!(await all.isChecked())) await all.check();
    const s = performance.now();
    await page.getByTestId('compare-selected').click();
    await page.getByTestId('metrics-table').waitFor();
    await page.locator('section[aria-label="Predicted versus actual"] canvas').first().waitFor();
    await frames(page);
    compare.push(performance.now() - s);
  }
  console.log(
    `compare ${RUNS} runs: median ${median(compare).toFixed(0)} ms, fastest ${Math.min(...compare).toFixed(0)} ms (5 runs: ${compare.map((x) => x.toFixed(0)).join(', ')})`,
  );
  await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', `compare-${RUNS}.png`), fullPage: true });
} finally {
  await browser.close();
  await server.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
