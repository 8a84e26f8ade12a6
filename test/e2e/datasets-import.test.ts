// Issue 14, bug 4 ("stale dataset chart after an import with no numeric columns: the previous
// dataset's chart stays under the new one"), in real Chromium against the browser-mode server on
// an empty database: files are imported through the page's file input as a user does, and every
// check is made on DOM text or on the applied ECharts option of the charts on the page. Also the
// preview of a long-format dataset following the series shown (issue 14, Datasets).
// E2E_STATIC_DIR serves another renderer build (to try an older UI against these steps).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');
const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

describe('bug 4: a dataset without numeric columns after a numeric one, in Chromium', () => {
  let dir: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const detail = () => page.locator('section[aria-label="Dataset details"]');
  const title = () => page.getByTestId('dataset-title');
  /** Every chart on the page: its series names (the applied option, what ECharts draws). */
  const chartsOnPage = () =>
    page
      .locator('.chart')
      .evaluateAll((els: any[]) =>
        els.map((el) => (el.wbChart?.getOption()?.series ?? []).map((s: { name?: string }) => String(s.name))),
      );
  const importFile = async (path: string) => page.getByTestId('file-input').setInputFiles(path);
  /**
   * Watches the page until the title reads `name`, then `ms` longer: what it showed at any moment
   * once the new dataset was up, not only at the end.
   */
  const watchUntil = async (name: string, ms: number) => {
    const seen: { title: string | null; charts: string[][] }[] = [];
    let end = Date.now() + 30_000;
    let up = false;
    while (Date.now() < end) {
      const s = { title: await title().textContent(), charts: await chartsOnPage() };
      seen.push(s);
      if (!up && s.title === name) [up, end] = [true, Date.now() + ms];
      await page.waitForTimeout(40);
    }
    return seen.filter((s) => s.title === name);
  };

  beforeAll(async () => {
    if (!process.env.E2E_STATIC_DIR) ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-bug4-'));
    service = createService({ dbPath: join(dir, 'workbench.db'), host: 'server' });
    server = await startServer({
      service,
      port: 0,
      ...(process.env.E2E_STATIC_DIR ? { staticDir: process.env.E2E_STATIC_DIR } : {}),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.getByTestId('file-input').waitFor({ state: 'attached' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a numeric dataset and draws its chart', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${day(i)},${(100 + 20 * Math.sin(i / 9)).toFixed(3)}`);
    await importFile(file('sales.csv', `date,sales\n${rows.join('\n')}\n`));
    await title()
      .filter({ hasText: /^sales$/ })
      .waitFor({ timeout: 30_000 });
    await detail().locator('canvas').first().waitFor({ timeout: 20_000 });
    await expect.poll(chartsOnPage).toEqual([['sales']]);
  }, 60_000);

  it('then a file of text columns only: the new dataset shows, and no chart of the previous one, at any moment', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `c${i % 4},${['paris', 'rome', 'oslo'][i % 3]}`);
    await importFile(file('places.csv', `code,city\n${rows.join('\n')}\n`));
    const shown = await watchUntil('places', 1500);
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) expect(s.charts).toEqual([]);
    expect(await detail().getByTestId('no-chart').textContent()).toMatch(/no numeric columns/i);
    expect(await detail().locator('canvas').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'bug4-01-text-only.png'), fullPage: true });
  }, 60_000);

  it('then a long-format file without numbers, straight after the numeric one is selected again', async () => {
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^sales/ })
      .click();
    await title()
      .filter({ hasText: /^sales$/ })
      .waitFor();
    await expect.poll(chartsOnPage).toEqual([['sales']]);
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'A' : 'B'},${day(Math.floor(i / 2))},k${i % 5}`);
    await importFile(file('codes-long.csv', `store,date,code\n${rows.join('\n')}\n`));
    const shown = await watchUntil('codes-long', 1500);
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) expect(s.charts).toEqual([]);
    expect(await detail().textContent()).toMatch(/no numeric columns/i);
    // Back and forth through the list: each dataset shows only its own chart.
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^sales/ })
      .click();
    await expect.poll(chartsOnPage).toEqual([['sales']]);
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^places/ })
      .click();
    await title()
      .filter({ hasText: /^places$/ })
      .waitFor();
    expect(await chartsOnPage()).toEqual([]);
  }, 60_000);

  it('the preview follows the series shown (long format): its rows only, in time order', async () => {
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^codes-long/ })
      .click();
    await title()
      .filter({ hasText: /^codes-long$/ })
      .waitFor();
    const preview = page.getByTestId('preview');
    /** Each row in view: its series and date cells. */
    const cells = () =>
      preview.locator('.r').evaluateAll((rows) =>
        rows.map((r) =>
          [...(r as any).children]
            .slice(1, 3)
            .map((c: any) => c.textContent)
            .join(' '),
        ),
      );
    const series = page.getByLabel('Show series');
    for (const s of ['A', 'B']) {
      await series.selectOption(s);
      await expect.poll(async () => (await cells())[0]).toBe(`${s} ${day(0)}`);
      const shown = await cells();
      expect(shown.length).toBeGreaterThanOrEqual(10); // the rows in view (and a few below)
      expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => `${s} ${day(i)}`));
      expect(await preview.getAttribute('aria-label')).toBe(`Preview of 20 rows of series ${s}`);
    }
  }, 60_000);

  it('a file the importer refuses says why and leaves the selection and its own chart as they were', async () => {
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^sales/ })
      .click();
    await expect.poll(chartsOnPage).toEqual([['sales']]);
    await importFile(file('empty-rows.csv', 'name,city\n'));
    const err = page.getByTestId('import-error-text');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(
      /empty-rows\.csv: the file has a header row \(2 columns\) but no data rows/,
    );
    expect(await title().textContent()).toBe('sales');
    expect(await chartsOnPage()).toEqual([['sales']]);
    expect(await page.getByTestId('dataset-list').getByRole('button').count()).toBe(3);
  }, 60_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
