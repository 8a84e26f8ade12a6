// Issue 14 features in real Chromium: the live run page as a run overview (a small chart per
// epoch metric with the best epoch marked, the parameters, the flag when the model loses to a
// baseline), focus on the page heading after a route change, keyboard-only use of the nav, the
// datasets list and the designer, the reset-zoom button, and the warning on importing the same
// file twice. Checks read the applied ECharts option (`wbChart`) or DOM text; screenshots go to
// test-artifacts/e2e/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { logEpoch } from '../../db/metrics.js';
import { openDb } from '../../db/open.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { seedRuns } from './seed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');

describe('run overview, focus and keyboard in Chromium', () => {
  let dir: string;
  let csv: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let runId: number;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const focused = () =>
    page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return {
        tag: el?.tagName as string,
        text: (el?.textContent ?? '').trim() as string,
        testid: el?.dataset?.testid,
      };
    });

  beforeAll(async () => {
    ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-overview-'));
    const dbPath = join(dir, 'workbench.db');
    csv = join(dir, 'cycle.csv');
    const years = Array.from({ length: 120 }, (_, i) => 1900 + i);
    const vals = years.map((y) => Math.round(500 + 450 * Math.sin((2 * Math.PI * (y - 1900)) / 11)) / 10);
    writeFileSync(csv, `YEAR,ACT\n${years.map((y, i) => `${y},${vals[i]}`).join('\n')}\n`);
    const first = createService({ dbPath, host: 'server' });
    const r = await first.call('datasets.import', { path: csv, name: 'cycle' });
    if (!r.ok) throw new Error(r.error.message);
    await first.close();
    // Offset 3 on values around 50: ETS (2% off) is better, so the run loses to it.
    [runId] = seedRuns(dbPath, [
      {
        name: 'loser',
        datasetId: r.value.id,
        target: 'ACT',
        time: years.slice(-30).map((_, i) => i),
        actual: vals.slice(-30),
        offset: 3,
      },
    ]) as [number];
    // The metrics a trainer logs besides the losses (worker/train/commit.ts), and a fourth epoch
    // that is worse, so the best epoch (3) is not the last.
    const db = openDb(dbPath);
    try {
      for (let e = 1; e <= 3; e++)
        logEpoch(
          db,
          runId,
          e,
          e * 10,
          { val_mae: 3 / e, val_rmse: 4 / e, samples_per_sec: 900 + e, epoch_seconds: 0.4 },
          e,
        );
      logEpoch(
        db,
        runId,
        4,
        40,
        { loss: 2, val_loss: 5, val_mae: 2, val_rmse: 3, samples_per_sec: 950, epoch_seconds: 0.5 },
        4,
      );
    } finally {
      db.close();
    }
    service = createService({ dbPath, host: 'server' });
    server = await startServer({ service, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.getByTestId('dataset-title').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('moves focus to the page heading when the route changes by keyboard', async () => {
    await page.getByTestId('nav-runs').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused()).tag).toBe('H2');
    expect((await focused()).text).toBe('Runs');
  });

  it('shows the run overview: metric charts with the best epoch, parameters, the baseline flag', async () => {
    await page.evaluate((id) => ((globalThis as any).location.hash = `#/live/${id}`), runId);
    await expect.poll(async () => (await focused()).text).toBe(`#${runId} loser`);
    const grid = page.locator('section[aria-label="Metrics per epoch"]');
    await grid.locator('canvas').first().waitFor();
    expect(await page.getByTestId('best-epoch').textContent()).toContain('best epoch 3');
    for (const key of ['val_mae', 'val_rmse', 'samples_per_sec', 'epoch_seconds'])
      expect(await page.getByTestId(`metric-${key}`).count(), key).toBe(1);
    const option = await page
      .getByTestId('metric-val_mae')
      .locator('.chart')
      .evaluate((el: any) => JSON.parse(JSON.stringify(el.wbChart.getOption())));
    const s = option.series[0];
    expect(s.data).toEqual([
      [1, 3],
      [2, 1.5],
      [3, 1],
      [4, 2],
    ]);
    expect(s.markLine.data[0].xAxis).toBe(3);
    expect(s.markPoint.data[0].coord).toEqual([3, 1]);
    // Drawn, not only in the option: the mark components are registered (charts/echarts.ts).
    const drawn = await page
      .getByTestId('metric-val_mae')
      .locator('.chart')
      .evaluate((el: any) => [
        Boolean(el.wbChart.getModel().getComponent('markLine', 0)),
        Boolean(el.wbChart.getModel().getComponent('markPoint', 0)),
      ]);
    expect(drawn).toEqual([true, true]);
    const params = (await page.getByTestId('param-summary').textContent())!.replace(/\s+/g, ' ');
    for (const p of ['Cell gru', 'Layers 16', 'Horizon 1', 'Optimizer adam', 'Learning rate 0.003'])
      expect(params).toContain(p);
    expect(params).toMatch(/Lookback (auto|\d+)/);
    expect(await page.getByTestId('baseline-flag').textContent()).toMatch(/The model loses to ETS by/);
    await shot('overview-01-live-run');
  });

  it('reaches the datasets list, the reset-zoom button and the designer by keyboard', async () => {
    await page.getByTestId('nav-datasets').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused()).tag).toBe('H2');
    // Tab from the heading to the dataset's button and select it with the keyboard.
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focused()).text.startsWith('cycle');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('dataset-title').filter({ hasText: 'cycle' }).waitFor();
    // Zoom the dataset chart, then reset it from the keyboard.
    const detail = page.locator('section[aria-label="Dataset details"]');
    await detail.locator('canvas').first().waitFor();
    await detail
      .locator('.chart')
      .first()
      .evaluate((el: any) => el.wbChart.dispatchAction({ type: 'dataZoom', start: 20, end: 40 }));
    const reset = page.getByTestId('reset-zoom');
    await expect.poll(() => reset.isEnabled()).toBe(true);
    await reset.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => {
        const o = await detail
          .locator('.chart')
          .first()
          .evaluate((el: any) => JSON.parse(JSON.stringify(el.wbChart.getOption())));
        return [o.dataZoom[0].start, o.dataZoom[0].end];
      })
      .toEqual([0, 100]);
    expect(await reset.isDisabled()).toBe(true);
    // The designer's Train button is reachable with Tab alone.
    await page.getByTestId('nav-designer').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('train').waitFor();
    // The designer has a visible page heading like the other pages, and the route change focuses it.
    await expect.poll(async () => (await focused()).tag).toBe('H2');
    expect((await focused()).text).toBe('Run designer');
    expect(await page.getByRole('heading', { level: 2, name: 'Run designer' }).isVisible()).toBe(true);
    reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focused()).testid === 'train';
    }
    expect(reached).toBe(true);
  });

  it('warns when the same file is imported again, naming the earlier dataset', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('file-input').setInputFiles(csv);
    await expect
      .poll(() => page.locator('section[aria-label="Dataset details"]').textContent(), { timeout: 30_000 })
      .toMatch(/already imported as dataset #\d+ "cycle" \(cycle\.csv\)/);
    await shot('overview-02-duplicate-import');
  });

  it('overlays every series of a long-format dataset, with per-series stats', async () => {
    await page.getByTestId('file-input').setInputFiles(join(root, 'samples', 'stocks-long.csv'));
    await page.getByTestId('dataset-title').filter({ hasText: 'stocks-long' }).waitFor({ timeout: 30_000 });
    const overlay = page.getByTestId('series-overlay');
    await overlay.locator('canvas').first().waitFor({ timeout: 30_000 });
    const o = await overlay.locator('.chart').evaluate((el: any) => JSON.parse(JSON.stringify(el.wbChart.getOption())));
    expect(o.series.length).toBeGreaterThan(1);
    const rows = await page.getByTestId('series-stats').locator('tbody tr').count();
    expect(rows).toBe(o.series.length);
    await overlay.scrollIntoViewIfNeeded();
    await shot('overview-03-series-overlay');
    expect(pageErrors).toEqual([]);
  });
});
