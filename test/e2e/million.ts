// Measures the dataset chart with 1,000,000 points in Chromium: `npx tsx test/e2e/million.ts`.
// Writes a 1M-row hourly CSV, imports it with the real service, opens the Datasets screen and
// reports how long the series call and the first draw take and how long a zoom step takes.
// Not part of `npm test` (it takes ~30 s); the numbers go in the notes.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const N = Number(process.env.ROWS ?? 1_000_000);
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'wb-million-'));
const csv = join(dir, 'million.csv');

async function writeCsv(): Promise<void> {
  const out = createWriteStream(csv);
  out.write('time,load,temp\n');
  const t0 = Date.UTC(2000, 0, 1);
  let chunk = '';
  for (let i = 0; i < N; i++) {
    const t = new Date(t0 + i * 3_600_000).toISOString().slice(0, 19);
    chunk += `${t},${(1000 + 200 * Math.sin(i / 24) + 50 * Math.sin(i / 8760) + ((i * 7919) % 97)).toFixed(1)},${(10 + 8 * Math.sin(i / 24)).toFixed(2)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.on('finish', () => r()));
}

ensureRendererBuilt(root);
await writeCsv();
const service = createService({ dbPath: join(dir, 'w.db'), host: 'server' });
let t = performance.now();
const imported = await service.call('datasets.import', { path: csv });
if (!imported.ok) throw new Error(imported.error.message);
console.log(`import ${N} rows: ${((performance.now() - t) / 1000).toFixed(2)} s`);
const server = await startServer({ service });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  t = performance.now();
  const series = page.waitForResponse((r) => r.url().includes('/api/datasets.series'), { timeout: 120_000 });
  await page.goto(server.url);
  const res = await series;
  const bytes = Number(res.headers()['content-length'] ?? 0);
  const tSeries = performance.now() - t;
  await page.locator('canvas').first().waitFor();
  // Two animation frames after the canvas exists: the first draw has been painted.
  await page.evaluate(
    () =>
      new Promise((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r))),
  );
  const tDraw = performance.now() - t;
  console.log(
    `datasets.series response ${(bytes / 1e6).toFixed(1)} MB after ${(tSeries / 1000).toFixed(2)} s; chart painted after ${(tDraw / 1000).toFixed(2)} s`,
  );
  // Zoom step by step as the slider does (the wheel scrolls the page: charts/common.ts zoom()).
  const chart = page.locator('.chart').first();
  const steps: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    await chart.evaluate((el: any, k: number) => {
      el.wbChart.dispatchAction({ type: 'dataZoom', start: 50 - 40 / 2 ** k, end: 50 + 40 / 2 ** k });
    }, i);
    await page.evaluate(
      () =>
        new Promise((r) =>
          (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r)),
        ),
    );
    steps.push(performance.now() - s);
  }
  console.log(`zoom steps (ms): ${steps.map((x) => x.toFixed(0)).join(', ')}`);
  await page.screenshot({ path: join(root, 'test-artifacts', 'e2e', 'million.png') });
} finally {
  await browser.close();
  await server.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
