// What a new user hit in the second walk through the UI (issue 14, bugs 1-4, 8-10), in real
// Chromium against the browser-mode server: yearly sunspots and long-format stocks imported with
// the real service, finished runs of both seeded into SQLite (test/e2e/seed.ts), and each check
// made on the chart's applied ECharts option or on DOM text. Screenshots go to test-artifacts/e2e/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { seedRuns } from './seed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');
const YEAR = (y: number) => Date.UTC(y, 0, 1);

/** The applied ECharts option of the chart inside `scope` (Chart.svelte keeps the instance on its element). */
function chartOption(scope: Locator): Promise<any> {
  return scope
    .locator('.chart')
    .first()
    .evaluate((el: any) => JSON.parse(JSON.stringify(el.wbChart.getOption())));
}

/** Calls a formatter of the applied option inside the page (functions do not cross to the test). */
function callFormatter(scope: Locator, path: string, arg: unknown): Promise<string> {
  return scope
    .locator('.chart')
    .first()
    .evaluate(
      (el: any, [p, a]: [string, unknown]) => {
        const fn = p.split('.').reduce((o: any, k) => o?.[k], el.wbChart.getOption());
        return String(fn(a));
      },
      [path, arg] as [string, unknown],
    );
}

describe('issue 14 bugs in Chromium', () => {
  let dir: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const ids: Record<string, number> = {};
  const datasets: Record<string, number> = {};
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-ui-'));
    const dbPath = join(dir, 'workbench.db');
    const sunspots = join(dir, 'sunspots.csv');
    const years = Array.from({ length: 309 }, (_, i) => 1700 + i);
    const activity = years.map((y) => Math.round(500 + 450 * Math.sin((2 * Math.PI * (y - 1700)) / 11)) / 10);
    writeFileSync(sunspots, `YEAR,SUNACTIVITY\n${years.map((y, i) => `${y},${activity[i]}`).join('\n')}\n`);
    const first = createService({ dbPath, host: 'server' });
    for (const [name, path] of [
      ['stocks', join(root, 'samples', 'stocks-long.csv')],
      ['sunspots', sunspots],
    ] as const) {
      const r = await first.call('datasets.import', { path, name });
      if (!r.ok) throw new Error(r.error.message);
      datasets[name] = r.value.id;
    }
    await first.close();
    // The stocks runs' test windows: two symbols on the same 60 days, as a long-format dataset stores them.
    const days = Array.from({ length: 60 }, (_, i) => Date.UTC(2023, 5, 1) + i * 86_400_000);
    const stockDays = [...days, ...days];
    const price = [...days.map((_, i) => 48 + Math.sin(i / 5)), ...days.map((_, i) => 120 + Math.cos(i / 5))];
    const symbols = [...days.map(() => 'ACME'), ...days.map(() => 'GLOBEX')];
    const sunYears = years.slice(-59).map(YEAR); // 1950-2008: before 1970 the times are negative
    const sunVals = activity.slice(-59);
    const made = seedRuns(dbPath, [
      {
        name: 'stocks-a',
        datasetId: datasets.stocks!,
        target: 'close',
        time: stockDays,
        actual: price,
        offset: 0.05,
        series: symbols,
      },
      {
        name: 'stocks-b',
        datasetId: datasets.stocks!,
        target: 'close',
        time: stockDays,
        actual: price,
        offset: 0.3,
        series: symbols,
      },
      {
        name: 'sun-a',
        datasetId: datasets.sunspots!,
        target: 'SUNACTIVITY',
        time: sunYears,
        actual: sunVals,
        offset: 3,
        trainMs: 420,
      },
      {
        name: 'sun-rows',
        datasetId: datasets.sunspots!,
        target: 'SUNACTIVITY',
        time: sunVals.map((_, i) => i),
        actual: sunVals,
        offset: 5,
      },
    ]);
    ['stocks-a', 'stocks-b', 'sun-a', 'sun-rows'].forEach((n, i) => (ids[n] = made[i]!));
    service = createService({ dbPath, host: 'server' });
    server = await startServer({ service, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
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

  const openDataset = async (name: string) => {
    await page.getByTestId('nav-datasets').click();
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: new RegExp(`^${name}`) })
      .click();
    await page.getByTestId('dataset-title').filter({ hasText: name }).waitFor();
  };

  it('10: at 1024 px the columns table shows the Target checkboxes without scrolling sideways', async () => {
    await openDataset('stocks');
    const box = await page.getByLabel('Use close as target').boundingBox();
    const table = await page.getByTestId('columns-table').evaluate((el) => {
      const r = el.parentElement!.getBoundingClientRect();
      return { right: r.right, scrollable: el.parentElement!.scrollWidth > el.parentElement!.clientWidth };
    });
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(table.right);
    expect(table.scrollable).toBe(false);
    await shot('ui-01-datasets-1024');
  });

  it('10: the wheel over the dataset chart scrolls the page and leaves the zoom alone', async () => {
    const chart = page.locator('section[aria-label="Dataset details"] .chart').first();
    await chart.scrollIntoViewIfNeeded();
    await page.evaluate(() => (globalThis as any).scrollBy(0, -100));
    const before = await page.evaluate(() => (globalThis as any).scrollY);
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(400);
    expect(await page.evaluate(() => (globalThis as any).scrollY)).toBeGreaterThan(before);
    const zoom = (await chartOption(page.locator('section[aria-label="Dataset details"]'))).dataZoom[0];
    expect([zoom.start, zoom.end]).toEqual([0, 100]);
    // The slider still zooms.
    const slider = (await chartOption(page.locator('section[aria-label="Dataset details"]'))).dataZoom.find(
      (z: any) => z.type === 'slider',
    );
    expect(slider).toBeDefined();
  });

  it('9: yearly data reads as years: axis ticks on whole years, labels and preview cells "1749"', async () => {
    await openDataset('sunspots');
    const detail = page.locator('section[aria-label="Dataset details"]');
    await detail.locator('canvas').first().waitFor();
    await page.waitForTimeout(300);
    // The labels ECharts draws: round years (1700, 1750, ...), not 1751, 1802.
    const labels: string[] = await detail
      .locator('.chart')
      .first()
      .evaluate((el: any) =>
        el.wbChart
          .getModel()
          .getComponent('xAxis', 0)
          .axis.getViewLabels()
          .map((l: { formattedLabel: string }) => l.formattedLabel),
      );
    expect(labels.length).toBeGreaterThan(2);
    for (const l of labels) expect(Number(l) % 10, l).toBe(0);
    expect(await callFormatter(detail, 'xAxis.0.axisLabel.formatter', YEAR(1749))).toBe('1749');
    const tip = await callFormatter(detail, 'tooltip.0.formatter', [
      { axisValue: YEAR(1749), seriesName: 'SUNACTIVITY', value: [YEAR(1749), 80.90000000000001], marker: '' },
    ]);
    expect(tip).toContain('1749');
    expect(tip).toContain('80.9');
    expect(tip).not.toMatch(/\d{7,}/);
    await expect
      .poll(() => page.locator('[data-testid="preview"] [role="row"]').nth(1).textContent())
      .toMatch(/^\s*1\s*1700(?!-)/);
    expect(await page.locator('[data-testid="preview"]').textContent()).not.toContain('1700-01-01');
    expect(await page.getByTestId('columns-table').textContent()).toMatch(/YYYY\s*0\s*1700\s*2008/);
    await shot('ui-02-datasets-yearly');
  });

  it('4: importing a dataset without numeric columns leaves no chart of the previous one', async () => {
    const codes = join(dir, 'codes.csv');
    writeFileSync(
      codes,
      `day,code\n${Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},c${i % 3}`).join('\n')}\n`,
    );
    await page.getByTestId('file-input').setInputFiles(codes);
    await page.getByTestId('dataset-title').filter({ hasText: 'codes' }).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    const detail = page.locator('section[aria-label="Dataset details"]');
    expect(await detail.locator('.chart').count()).toBe(0);
    expect(await detail.textContent()).toMatch(/no numeric columns/i);
    await shot('ui-03-datasets-no-numeric');
  }, 60_000);

  it('column types: a wrong guess is re-imported as a new dataset; a bad type names column, line and value', async () => {
    // store: a zero-padded id the importer reads as a number; sales: numbers with one stray cell.
    const shop = join(dir, 'shop.csv');
    const rows = Array.from({ length: 12 }, (_, i) => {
      const day = `2024-02-${String(i + 1).padStart(2, '0')}`;
      return `${day},${i % 2 ? '012' : '007'},${i === 3 ? 'n.a.' : 10 + i}`;
    });
    writeFileSync(shop, `day,store,sales\n${rows.join('\n')}\n`);
    await page.getByTestId('file-input').setInputFiles(shop);
    await page
      .getByTestId('dataset-title')
      .filter({ hasText: /^shop$/ })
      .waitFor({ timeout: 30_000 });
    const table = page.getByTestId('columns-table');
    expect(await table.locator('tr', { hasText: 'store' }).textContent()).toContain('numeric');
    expect(await table.locator('tr', { hasText: 'sales' }).textContent()).toContain('categorical');
    const before = await page.getByTestId('dataset-list').getByRole('button').count();

    const form = page.getByTestId('retype');
    await form.locator('summary').click();
    const reimport = page.getByTestId('retype-import');
    expect(await reimport.isDisabled()).toBe(true);
    const chooseAgain = async (file: string) => {
      const chooser = page.waitForEvent('filechooser');
      await reimport.click();
      await (await chooser).setFiles(file);
    };
    // number on sales: the stray cell stops the import, named; nothing new is stored.
    await page.getByTestId('retype:sales').selectOption('number');
    await chooseAgain(shop);
    const err = page.getByTestId('retype-error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/column "sales" is set to number, but line 5 has "n\.a\."/);
    expect(await page.getByTestId('dataset-list').getByRole('button').count()).toBe(before);

    // store as text, sales ignored: a new dataset "shop (retyped)", selected; the old one unchanged.
    await page.getByTestId('retype:sales').selectOption('ignore');
    await page.getByTestId('retype:store').selectOption('text');
    await chooseAgain(shop);
    await page.getByTestId('dataset-title').filter({ hasText: 'shop (retyped)' }).waitFor({ timeout: 30_000 });
    expect(await table.locator('tr', { hasText: 'store' }).textContent()).toMatch(/categorical[\s\S]*2/);
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('dataset-list').getByRole('button').count()).toBe(before + 1);
    expect(await page.getByTestId('retype-other-file').count()).toBe(0);
    expect(await page.locator('.warn').first().textContent()).toMatch(
      /the same file \(sha256 .*\) as dataset #\d+ "shop" \(shop\.csv\), read with other column types \(store: text, sales: ignore\)/,
    );
    const preview = await page.getByTestId('preview').textContent();
    expect(preview).toContain('007');
    await shot('ui-03b-datasets-retyped');
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /^shop(?! \(retyped)/ })
      .click();
    await page
      .getByTestId('dataset-title')
      .filter({ hasText: /^shop$/ })
      .waitFor();
    expect(await table.locator('tr', { hasText: 'store' }).textContent()).toContain('numeric');
  }, 90_000);

  it('2: the designer drops the old target when the dataset changes', async () => {
    await page.getByTestId('nav-designer').click();
    const select = page.getByTestId('designer-dataset');
    await select.selectOption({ label: 'stocks' });
    const checked = () =>
      page.locator('[data-testid="targets"] input:checked').evaluateAll((els) => els.map((e) => (e as any).value));
    await expect.poll(checked).toEqual(['close']);
    await select.selectOption({ label: 'sunspots' });
    await expect.poll(checked).toEqual(['SUNACTIVITY']);
    expect(await page.getByTestId('dropped-columns').textContent()).toContain('close');
    await page.getByTestId('param-count').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
  });

  it('8: messages name the field; a host error goes when the field is fixed; Train is off meanwhile', async () => {
    const lookback = page.locator('input[name="window.lookback"]');
    await lookback.fill('0');
    await expect.poll(() => page.getByTestId('err-window.lookback').textContent()).toBe('Lookback must be at least 1.');
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    await page.locator('input[name="train.learningRate"]').fill('0');
    await expect
      .poll(() => page.getByTestId('err-train.learningRate').textContent())
      .toBe('Learning rate must be more than 0.');
    await page.locator('input[name="train.learningRate"]').fill('0.003');
    // A lookback longer than the data: the host says so at the field, and Train stays off.
    await lookback.fill('400');
    await expect
      .poll(() => page.getByTestId('err-window.lookback').textContent(), { timeout: 20_000 })
      .toMatch(/lookback 400/);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    await lookback.press('Enter'); // must not try to train
    await page.waitForTimeout(500);
    await lookback.fill('12');
    expect(await page.getByTestId('err-window.lookback').count()).toBe(0);
    await page.getByTestId('param-count').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('train').isDisabled()).toBe(false);
    await shot('ui-04-designer-fixed');
  });

  it('8: Enter in the run name does not start a training', async () => {
    // A valid form with Train enabled: only Enter itself could start a training here.
    await page.locator('input[name="window.lookback"]').fill('12');
    await page.locator('input[name="train.learningRate"]').fill('0.003');
    await expect.poll(() => page.getByTestId('train').isDisabled()).toBe(false);
    const runsBefore = (await service.call('runs.list', {})) as { ok: true; value: unknown[] };
    await page.locator('input[name="name"]').fill('enter-test');
    await page.locator('input[name="name"]').press('Enter');
    await page.waitForTimeout(800);
    expect(page.url()).toContain('#/designer');
    const runsAfter = (await service.call('runs.list', {})) as { ok: true; value: unknown[] };
    expect(runsAfter.value.length).toBe(runsBefore.value.length);
  });

  it('8: a preset says what it changed and resets its whole recipe', async () => {
    await page.getByTestId('preset-deep').click();
    await page.getByTestId('preset-quick').click();
    const text = (await page.getByTestId('preset-changes').textContent()) ?? '';
    expect(text).toMatch(/cell LSTM → GRU/);
    expect(text).toMatch(/layers 128 \(dropout 0\.2\) \+ 128 \(dropout 0\.2\) → 16/);
    expect(text).toMatch(/columns, horizon, stride, split/);
    expect(await page.locator('input[name="model.layers.1.units"]').count()).toBe(0);
    await shot('ui-05-designer-preset');
  });

  it('1: predicted vs actual: dates on the x axis, the y axis at the left, readable tooltips', async () => {
    await page.goto(`${server.url.split('?')[0]}#/live/${ids['sun-a']}`);
    const panel = page.getByTestId('run-predictions');
    await panel.locator('canvas').waitFor({ timeout: 20_000 });
    const opt = await chartOption(panel);
    expect(opt.xAxis[0].type).toBe('time');
    expect(opt.yAxis[0].axisLine.onZero).toBe(false);
    expect(opt.xAxis[0].axisLine.onZero).toBe(false);
    expect(await callFormatter(panel, 'xAxis.0.axisLabel.formatter', YEAR(1950))).toBe('1950');
    const tip = await callFormatter(panel, 'tooltip.0.formatter', [
      { axisValue: YEAR(1950), seriesName: 'actual', value: [YEAR(1950), 473385600000.123], marker: '' },
    ]);
    expect(tip).toContain('1950');
    expect(tip).not.toMatch(/\d{7,}|473,385/);
    // Durations under a second read as milliseconds, not "0s".
    expect(await page.getByTestId('duration').textContent()).toMatch(/^\d{3} ms$/);
    await page.waitForTimeout(300);
    await shot('ui-06-live-predictions-yearly');
    await page.goto(`${server.url.split('?')[0]}#/live/${ids['sun-rows']}`);
    await panel.locator('canvas').waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await chartOption(panel)).series[1]?.name).toBe(`#${ids['sun-rows']} sun-rows`);
    const rows = await chartOption(panel);
    expect(rows.xAxis[0].type).toBe('value');
    expect(rows.xAxis[0].name).toBe('row'); // the dataset's row of each window's first predicted step
    expect(rows.yAxis[0].axisLine.onZero).toBe(false);
    // A long-format run: a series picker, the first symbol's 60 windows drawn.
    await page.goto(`${server.url.split('?')[0]}#/live/${ids['stocks-a']}`);
    await expect
      .poll(async () => page.getByTestId('run-predictions-series').locator('option').allTextContents())
      .toEqual(['ACME', 'GLOBEX']);
    await expect.poll(async () => (await chartOption(panel)).series[0]?.data.length).toBe(60);
  }, 60_000);

  it('3: compare groups runs by dataset: own curves, baselines, best and predictions per dataset', async () => {
    await page.getByTestId('nav-runs').click();
    for (const n of ['stocks-a', 'stocks-b', 'sun-a']) await page.getByLabel(`Select run ${ids[n]} to compare`).check();
    await page.getByTestId('compare-selected').click();
    const stocks = page.getByTestId(`compare-group-${datasets.stocks}`);
    const sun = page.getByTestId(`compare-group-${datasets.sunspots}`);
    await stocks.getByTestId('metrics-table').waitFor({ timeout: 20_000 });
    await sun.getByTestId('metrics-table').waitFor();
    // Each dataset crowns its own best; sun-a is never ranked against the stocks' baselines.
    expect(await sun.locator('[data-testid="metrics-table"] td.best').count()).toBeGreaterThan(0);
    expect(await stocks.getByTestId('metrics-table').textContent()).not.toContain('sun-a');
    expect(await sun.getByTestId('metrics-table').textContent()).not.toContain('stocks-');
    // MAPE carries its percent sign.
    expect(await sun.getByTestId('metrics-table').textContent()).toContain('12.35 %');
    const predsOf = async (g: Locator) => {
      const p = g.getByTestId('compare-predictions');
      await p.locator('canvas').waitFor();
      return ((await chartOption(p)).series as { name: string }[]).map((s) => s.name);
    };
    await expect.poll(() => predsOf(sun)).toEqual(['actual', `#${ids['sun-a']} sun-a`, 'naive', 'ETS']);
    expect(await predsOf(stocks)).toEqual([
      'actual',
      `#${ids['stocks-a']} stocks-a`,
      `#${ids['stocks-b']} stocks-b`,
      'naive',
      'ETS',
    ]);
    // The stocks' windows are of two symbols on the same days: one symbol drawn at a time, in time order.
    const stockPreds = stocks.getByTestId('compare-predictions');
    const actualOf = async () => (await chartOption(stockPreds)).series[0].data as [number, number][];
    const acme = await actualOf();
    expect(acme).toHaveLength(60);
    expect(acme.every(([x], i) => i === 0 || x > acme[i - 1]![0])).toBe(true);
    expect(acme.every(([, y]) => y < 60)).toBe(true);
    const pick = stocks.getByTestId('compare-predictions-series');
    expect(await pick.locator('option').allTextContents()).toEqual(['ACME', 'GLOBEX']);
    await pick.selectOption('GLOBEX');
    await expect.poll(async () => (await actualOf()).every(([, y]) => y > 100)).toBe(true);
    const curves = (await chartOption(sun.locator('section[aria-label="Metric curves"]'))).series.map(
      (s: { name: string }) => s.name,
    );
    expect(curves).toEqual([`#${ids['sun-a']} sun-a`]);
    await page.waitForTimeout(400);
    await shot('ui-07-compare-two-datasets');
  }, 60_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
