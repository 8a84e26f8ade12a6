// Issue 14, bug 7 ("Live run": "for ~2 s after finishing it shows 'completed' with 9/10 epochs and
// no test table; after Stop the ETA stays"), in real Chromium against the browser-mode server with
// real trainers on a temp SQLite file. The moment a run finishes is watched by sampling the page's
// DOM in the page every ~40 ms and on every DOM change, so a state that lasts one render is seen,
// not only the final one. The same fixes are tested against the service in
// test/renderer/lib/live.test.ts.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { sineCsv, tinySpec } from '../helpers.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');

/** What the live run page shows at one moment. */
interface Sample {
  status: string | null;
  /** The "Epochs" fact, e.g. "8 / 8". */
  epochs: string | null;
  /** The epoch named under the loss chart ("epoch 8: ..."), null before the first. */
  lastEpoch: number | null;
  testTable: boolean;
  eta: boolean;
}

describe('bug 7: the live run page when a run finishes and after Stop, in Chromium', () => {
  let dir: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let datasetId: number;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  /** Installs `wbLiveSample` in the page: what the live run page shows now, read at once. */
  const installSampler = () =>
    page.evaluate(() => {
      const g = globalThis as any;
      const d = g.document;
      const text = (el: any) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim() as string;
      g.wbLiveSample = () => {
        const fact = [...d.querySelectorAll('dl.facts > div')].find(
          (el: any) => text(el.querySelector('dt')) === 'Epochs',
        );
        const last = /^epoch (\d+):/.exec(text(d.querySelector('[data-testid="last-epoch"]')));
        const status = d.querySelector('[data-testid="run-status"]');
        return {
          status: status ? text(status) : null,
          epochs: fact ? text((fact as any).querySelector('dd')) : null,
          lastEpoch: last ? Number(last[1]) : null,
          testTable: d.querySelector('[data-testid="test-metrics"]') !== null,
          eta: [...d.querySelectorAll('.progress')].some((el: any) => text(el).includes('ETA')),
        };
      };
    });
  const sample = (): Promise<Sample> => page.evaluate(() => (globalThis as any).wbLiveSample());
  /**
   * Records in the page every ~40 ms and on every DOM change, so a state that lasts one render is
   * seen even when the test's round trips are slow; consecutive equal samples are kept once.
   */
  const startWatch = () =>
    page.evaluate(() => {
      const g = globalThis as any;
      const seen: Sample[] = [];
      let last = '';
      const record = () => {
        const s = g.wbLiveSample();
        const key = JSON.stringify(s);
        if (key !== last) seen.push(s);
        last = key;
      };
      const observer = new g.MutationObserver(record);
      observer.observe(g.document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      const timer = setInterval(record, 40);
      g.wbLiveWatch = { seen, stop: () => (observer.disconnect(), clearInterval(timer), seen) };
    });
  const stopWatch = (): Promise<Sample[]> => page.evaluate(() => (globalThis as any).wbLiveWatch.stop());
  const openLive = async (id: number) => {
    await page.evaluate((rid) => ((globalThis as any).location.hash = `#/live/${rid}`), id);
    await page.getByTestId('run-status').waitFor({ timeout: 30_000 });
  };
  const create = async (spec: Record<string, unknown>) => {
    const r = await service.call('runs.create', { datasetId, spec });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.id;
  };

  beforeAll(async () => {
    ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-bug7-'));
    service = createService({ dbPath: join(dir, 'workbench.db'), host: 'server', stopGraceSeconds: 10 });
    const imported = await service.call('datasets.import', { path: sineCsv(dir, 3000), name: 'sine' });
    if (!imported.ok) throw new Error(imported.error.message);
    datasetId = imported.value.id;
    server = await startServer({ service, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.getByTestId('nav-runs').waitFor();
    await installSampler();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never shows "completed" with fewer epochs than trained or without the test table', async () => {
    // One network (normalize global, not auto's ensemble) on a slice of the data: a few seconds.
    const epochs = 8;
    const id = await create(
      tinySpec({
        normalize: 'global',
        train: { epochs, batchSize: 32, learningRate: 0.01, patience: 0, maxBatchesPerEpoch: 6 },
      }),
    );
    await openLive(id);
    await startWatch();
    await expect.poll(async () => (await sample()).status, { timeout: 150_000, interval: 100 }).toBe('completed');
    // Watch a while after the end too: a late refresh must not take anything away.
    await page.waitForTimeout(2500);
    const seen = await stopWatch();
    await shot('live-01-completed');
    const row = await service.call('runs.get', { id });
    if (!row.ok) throw new Error(row.error.message);
    expect(row.value.status).toBe('completed');
    expect(row.value.epochsDone).toBe(epochs);
    // The finish was watched, not only its result: samples before it show the run not completed.
    expect(seen.some((s) => s.status === 'running')).toBe(true);
    const completed = seen.filter((s) => s.status === 'completed');
    expect(completed.length).toBeGreaterThan(0);
    const wrong = completed.filter(
      (s) => s.epochs !== `${epochs} / ${epochs}` || s.lastEpoch !== epochs || !s.testTable || s.eta,
    );
    expect(
      wrong.length,
      `${wrong.length} of ${completed.length} completed samples, first ${JSON.stringify(wrong[0])}`,
    ).toBe(0);
  }, 200_000);

  it('after Stop the ETA is gone and the status is stopped', async () => {
    // Long enough to be still training when Stop is pressed.
    const id = await create(
      tinySpec({ normalize: 'global', train: { epochs: 500, batchSize: 16, learningRate: 0.01, patience: 0 } }),
    );
    await openLive(id);
    await expect.poll(async () => (await sample()).eta, { timeout: 120_000, interval: 100 }).toBe(true);
    await shot('live-02-before-stop');
    await startWatch();
    await page.getByTestId('stop').click();
    await expect.poll(async () => (await sample()).status, { timeout: 60_000, interval: 100 }).toBe('stopped');
    // And it stays gone: a progress event already on its way must not bring it back.
    await page.waitForTimeout(1600);
    const seen = await stopWatch();
    await shot('live-03-stopped');
    const stopped = seen.filter((s) => s.status === 'stopped');
    expect(stopped.length).toBeGreaterThan(0);
    const wrong = stopped.filter((s) => s.eta);
    expect(
      wrong.length,
      `${wrong.length} of ${stopped.length} stopped samples, first ${JSON.stringify(wrong[0])}`,
    ).toBe(0);
    expect(seen.at(-1)!.status).toBe('stopped');
    expect(await page.locator('.progress').count()).toBe(0);
  }, 200_000);

  it('ticks the Duration while a long epoch trains', async () => {
    // Epochs of several seconds: nothing about the run row changes between its epochs, and the
    // Duration, read once with Date.now() in the markup, showed the run's first 86 ms for good.
    const id = await create(
      tinySpec({
        normalize: 'global',
        window: { lookback: 64, horizon: 1, stride: 1 },
        model: { cell: 'lstm', layers: [{ units: 256 }] },
        train: { epochs: 50, batchSize: 16, learningRate: 0.01, patience: 0 },
      }),
    );
    await openLive(id);
    await expect.poll(async () => (await sample()).eta, { timeout: 120_000, interval: 100 }).toBe(true);
    const duration = () => page.getByTestId('duration').textContent();
    const first = await duration();
    await expect.poll(duration, { timeout: 5_000, interval: 250 }).not.toBe(first);
    await page.getByTestId('stop').click();
    await expect.poll(async () => (await sample()).status, { timeout: 60_000, interval: 100 }).toBe('stopped');
  }, 200_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
