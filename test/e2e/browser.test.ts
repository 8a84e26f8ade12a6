// The whole loop in a real browser: Debian's Chromium (playwright-core) against the browser-mode
// server and the real service on a temp SQLite file. Import the sample CSV, design a small run,
// watch it complete, clone it with other units, compare the two, export the model and the
// metrics CSV and check the files. Screenshots of every screen go to test-artifacts/e2e/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { unzipSync } from 'fflate';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');
const SAMPLE = join(root, 'samples', 'city-energy.csv');

describe('workbench in Chromium (browser mode)', () => {
  let dir: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const nav = async (name: string) => {
    await page.getByTestId(`nav-${name}`).click();
  };

  beforeAll(async () => {
    ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-'));
    service = createService({ dbPath: join(dir, 'workbench.db'), host: 'server' });
    server = await startServer({ service, port: 0 });
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the page and the API without the token', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('token');
    const api = await fetch(`${base}/api/runs.list`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    const foreign = await fetch(`${base}/api/runs.list`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-workbench-token': server.token, origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  it('opens with the token, drops it from the address bar, and shows the empty state', async () => {
    await page.goto(server.url);
    await page.getByText('No datasets yet').waitFor();
    expect(page.url()).not.toContain('token=');
    await shot('01-datasets-empty');
  });

  it('shows a bad CSV error in the import screen, naming the line', async () => {
    const bad = join(dir, 'ragged.csv');
    writeFileSync(bad, 'time,value\n2024-01-01,1\n2024-01-02,2,99\n2024-01-03,3\n');
    await page.getByTestId('file-input').setInputFiles(bad);
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 30_000 });
    const text = (await err.textContent()) ?? '';
    expect(text).toContain('ragged.csv');
    expect(text).toMatch(/line 3/i);
    await shot('02-datasets-bad-csv');
  }, 60_000);

  it('imports the sample CSV and shows its columns, chart and preview', async () => {
    await page.getByTestId('file-input').setInputFiles(SAMPLE);
    await page.getByTestId('dataset-title').filter({ hasText: 'city-energy' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('import-error').count()).toBe(0);
    const columns = await page.getByTestId('columns-table').textContent();
    expect(columns).toContain('load_mw');
    expect(columns).toContain('datetime');
    await page.locator('[data-testid="preview"] [role="row"]').nth(5).waitFor();
    expect(await page.locator('[data-testid="preview"] [role="row"]').count()).toBeLessThan(60); // virtualised
    await page.locator('canvas').first().waitFor();
    // Plot load_mw too, and make it the target.
    await page.getByLabel('Plot load_mw').check();
    await page.getByLabel('Use temperature as target').uncheck();
    await page.getByLabel('Use load_mw as target').check();
    await page.waitForTimeout(400);
    await shot('03-datasets');
  }, 60_000);

  it('designs a small run with inline validation and an estimate, then trains it to completion', async () => {
    await page.getByTestId('design-run').click();
    await page.getByTestId('preset-quick').click();
    const lookback = page.locator('input[name="window.lookback"]');
    await lookback.fill('0');
    await expect
      .poll(() => page.getByTestId('err-window.lookback').textContent())
      .toMatch(/>=\s*1|at least|too small/i);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    await lookback.fill('12');
    await page.locator('input[name="model.layers.0.units"]').fill('8');
    await page.locator('input[name="train.epochs"]').fill('3');
    await page.locator('input[name="name"]').fill('gru-8');
    await page.getByTestId('param-count').waitFor({ timeout: 20_000 });
    // GRU, 1 feature → 8 units: 3·(8·(1+8)+2·8)=264 (reset_after) or 240, plus a dense 8→1 head.
    const params = Number((await page.getByTestId('param-count').textContent())!.replace(/,/g, ''));
    expect(params).toBeGreaterThan(200);
    expect(params).toBeLessThan(400);
    expect(await page.getByTestId('windows').textContent()).toMatch(/^\d[\d,]* \/ \d[\d,]* \/ \d[\d,]*$/);
    await shot('04-designer');
    await page.getByTestId('train').click();
    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 90_000 });
    await page.getByTestId('test-metrics').waitFor();
    expect(await page.getByTestId('backend').textContent()).not.toBe('—');
    const log = await page.getByTestId('run-log').textContent();
    expect(log).toContain('completed');
    // ETS beside naive and seasonal naive, the season and how it was found, a flag per baseline.
    expect(await page.getByTestId('test-metrics').textContent()).toMatch(/model.*naive.*ETS/);
    expect(await page.getByTestId('season').textContent()).toMatch(/^(Season \d+|No season): hourly timestamps/);
    expect(await page.getByTestId('verdicts').textContent()).toMatch(/(beats|loses to|ties with) ETS/);
    await page.locator('[data-testid="run-predictions"] canvas').waitFor();
    expect(await page.getByTestId('horizon-panel').count()).toBe(0); // horizon 1: nothing per step
    await page.waitForTimeout(400);
    await shot('05-live-run');
  }, 120_000);

  it('clones the run with other units and trains the clone', async () => {
    await page.getByTestId('clone').click();
    const units = page.locator('input[name="model.layers.0.units"]');
    await expect.poll(() => units.inputValue()).toBe('8');
    await units.fill('16');
    await page.locator('input[name="window.horizon"]').fill('3');
    await page.locator('input[name="name"]').fill('gru-16');
    await page.getByTestId('param-count').waitFor();
    await page.getByTestId('train').click();
    await page.getByText('cloned from #1').waitFor();
    await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 90_000 });
    // Horizon 3: MAE per step ahead for the model and each baseline, as a chart and its values.
    await page.locator('[data-testid="horizon-panel"] canvas').waitFor();
    const head = await page.locator('[data-testid="horizon-table"] thead').textContent();
    expect(head).toMatch(/step\s*#2 gru-16\s*naive\s*(seasonal naive\s*)?ETS/);
    const steps = await page.locator('[data-testid="horizon-table"] tbody tr').allTextContents();
    expect(steps.map((r) => r.trim()[0])).toEqual(['1', '2', '3']);
    for (const r of steps) expect(r).not.toContain('—'); // every forecaster scored every step
    expect(await page.getByTestId('test-metrics').textContent()).toContain('ETS');
    await page.getByTestId('horizon-metric').selectOption('rmse');
    await expect
      .poll(() => page.locator('[data-testid="horizon-panel"] [role="img"]').getAttribute('aria-label'))
      .toMatch(/RMSE per step ahead/);
    await page.waitForTimeout(400);
    await shot('06-live-clone');
  }, 120_000);

  it("forecasts every window of a new CSV from the run's Forecast panel; a bad cell shows its line and column", async () => {
    // 60 hours of the sample as a "new" file (empty cells filled: predict refuses gaps).
    const lines = readFileSync(SAMPLE, 'utf8').trim().split(/\r?\n/);
    const body = lines.slice(2001, 2061).map((l) => l.replace(/,(?=,)/g, ',80'));
    const good = join(dir, 'next-days.csv');
    writeFileSync(good, [lines[0], ...body].join('\n') + '\n');
    await page.getByTestId('forecast-file').setInputFiles(good);
    await Promise.race([
      page.getByTestId('forecast-title').filter({ hasText: 'next-days.csv' }).waitFor({ timeout: 60_000 }),
      page.getByTestId('forecast-error').waitFor({ timeout: 60_000 }),
    ]);
    expect(await page.getByTestId('forecast-error').allTextContents()).toEqual([]);
    await page.locator('[data-testid="forecast"] canvas').waitFor();
    const first = await page.locator('[data-testid="forecast-table"] tbody tr').first().textContent();
    expect(first).toMatch(/^2024-0\d-\d\dT\d\d:00:00Z.*2024/); // origin, then the forecast time
    // A quoted multi-line cell and a blank line before the bad row: the line is the file's.
    const header = lines[0]!.split(',');
    const col = header.indexOf('load_mw');
    const bad = body.map((l, i) => {
      const c = l.split(',');
      if (i === 3) c[c.length - 1] = '"1\n"'.replace('1', c[c.length - 1]!);
      if (i === 20) c[col] = 'abc';
      return c.join(',');
    });
    bad.splice(10, 0, '');
    const badFile = join(dir, 'bad-days.csv');
    writeFileSync(badFile, [lines[0], ...bad].join('\n') + '\n');
    await page.getByTestId('forecast-file').setInputFiles(badFile);
    const err = page.getByTestId('forecast-error');
    await err.waitFor({ timeout: 30_000 });
    // Header line 1, data row 20 would be line 22; one quoted newline and one blank line before it: 24.
    expect(await err.textContent()).toMatch(/bad-days\.csv: line 24, column "load_mw": non-numeric cell "abc"/);
    await shot('06b-forecast-new-csv');
  }, 120_000);

  it('lists both runs, sorts and filters them, and selects them for comparison', async () => {
    await nav('runs');
    const rows = page.getByTestId('run-row');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId('sort-id').click(); // ascending
    expect(await rows.first().getAttribute('data-run-id')).toBe('1');
    await page.getByTestId('runs-filter').fill('gru-16');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('runs-filter').fill('');
    await page.getByLabel('Select run 1 to compare').check();
    await page.getByLabel('Select run 2 to compare').check();
    await rows.first().click();
    await page.locator('[data-testid="run-details"] input[name="tags"]').fill('e2e, small');
    await page.getByTestId('save-run').click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(async () => (await rows.first().textContent()) ?? '').toContain('e2e, small');
    await shot('07-runs');
  });

  it('runs table as a tracker: query, groups, chosen columns, notes; nothing hidden at 1024 px', async () => {
    const rows = page.getByTestId('run-row');
    const filter = page.getByTestId('runs-filter');
    expect(await filter.getAttribute('title')).toContain('units > 32 and cell = gru and test.mase < 1');
    await filter.fill('units > 8 and cell = gru and test.mase < 100');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run-id')).toBe('2');
    await filter.fill('units > 8 cell = gru');
    await expect
      .poll(() => page.getByTestId('query-error').textContent())
      .toBe('unexpected "cell"; join conditions with and / or (column 11)');
    await filter.fill('units > 1000');
    await page.getByTestId('runs-empty').waitFor();
    await shot('07a-runs-no-match');
    await filter.fill('');
    await expect.poll(() => rows.count()).toBe(2);
    // Groups: every param but the seed differs (units, horizon), so two groups of one.
    await page.getByTestId('group-toggle').check();
    await expect.poll(() => page.getByTestId('group-count').allTextContents()).toEqual(['1', '1']);
    await shot('07b-runs-groups');
    await page.getByTestId('group-toggle').uncheck();
    // A RunSpec path as a column, kept for the next tab (localStorage).
    await page.locator('[data-testid="columns-chooser"] summary').click();
    await page.getByTestId('column-param:window.horizon').check();
    await page.locator('[data-testid="columns-chooser"] summary').click();
    const run2 = page.locator('[data-testid="run-row"][data-run-id="2"]');
    expect((await run2.locator('[data-col="param:window.horizon"]').textContent())?.trim()).toBe('3');
    const tab = await context.newPage();
    await tab.goto(`${server.url}#/runs`);
    await tab.getByTestId('sort-param:window.horizon').waitFor();
    await tab.close();
    // Notes: a mark beside the name.
    await page.locator('[data-testid="run-row"][data-run-id="1"]').click();
    await page.locator('[data-testid="run-details"] textarea[name="notes"]').fill('smallest model');
    await page.getByTestId('save-run').click();
    await page.locator('[data-testid="run-row"][data-run-id="1"] [data-testid="notes-indicator"]').waitFor();
    // 1024 px: the selection checkboxes and the sort arrow stay in view; the table scrolls inside.
    await page.setViewportSize({ width: 1024, height: 700 });
    const inView = async (selector: string) => {
      const b = (await page.locator(selector).first().boundingBox())!;
      return b.x >= 0 && b.x + b.width <= 1024;
    };
    const scroller = page.getByTestId('runs-table-scroller');
    expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await scroller.evaluate((el) => el.scrollTo(2000, 0));
    expect(await inView('[aria-label="Select run 1 to compare"]')).toBe(true);
    expect(await inView('[aria-label="Select all shown runs"]')).toBe(true);
    expect(await page.getByTestId('sort-id').textContent()).toMatch(/[▲▼]/);
    expect(await inView('[data-testid="sort-id"] .arrow')).toBe(true);
    await shot('07c-runs-1024');
    await scroller.evaluate((el) => el.scrollTo(0, 0));
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('serves the hashed assets compressed and immutable, index.html revalidated', async () => {
    const tab = await context.newPage();
    const seen = new Map<string, Record<string, string>>();
    tab.on('response', (r) => seen.set(new URL(r.url()).pathname, r.headers()));
    await tab.goto(server.url);
    await tab.getByTestId('nav-runs').waitFor();
    const main = [...seen.keys()].find((p) => /^\/assets\/index-.*\.js$/.test(p))!;
    expect(seen.get(main)).toMatchObject({
      'content-encoding': 'br',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(seen.get('/')?.['cache-control']).toBe('no-cache');
    // The charts library is not part of the entry chunk (code-split), and comes compressed too.
    expect(Number(seen.get(main)?.['content-length'] ?? 1e9)).toBeLessThan(60_000);
    await tab.close();
  });

  it('compares the two runs: curves, differing parameters, baselines, predictions', async () => {
    await page.getByTestId('compare-selected').click();
    await page.getByTestId('metrics-table').waitFor({ timeout: 20_000 });
    const params = await page.getByTestId('params-table').textContent();
    expect(params).toContain('model.layers.0.units');
    expect(params).not.toContain('window.lookback'); // same in both: hidden by "only differences"
    const metrics = await page.getByTestId('metrics-table').textContent();
    expect(metrics).toContain('naive');
    expect(metrics).toContain('rmse');
    expect(metrics).toContain('ETS');
    expect(await page.getByTestId('compare-season').textContent()).toMatch(
      /^All runs: (season \d+|no season): hourly timestamps/,
    );
    expect(await page.getByTestId('compare-evaluation').textContent()).toMatch(/#1 gru-8.*ETS by.*#2 gru-16.*ETS by/s);
    expect(await page.getByTestId('season-warning').count()).toBe(0); // same data, same season
    await page.locator('[data-testid="horizon-panel"] canvas').waitFor(); // run 2 has horizon 3
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(3);
    await page.getByTestId('ema').fill('0.6');
    await page.getByTestId('log-scale').check();
    await page.waitForTimeout(500);
    await shot('08-compare');
  }, 60_000);

  it('exports the model as a zip and the metrics CSV, and the files hold what they should', async () => {
    await nav('export');
    await page.getByTestId('export-run').selectOption('1');
    const [model] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model').click()]);
    expect(model.suggestedFilename()).toBe('run-1-best-model.zip');
    const zipPath = join(dir, 'model.zip');
    await model.saveAs(zipPath);
    const unzipped = unzipSync(readFileSync(zipPath));
    const files = Object.entries(unzipped).map(([name, data]) => ({ name, data: Buffer.from(data) }));
    const names = files.map((f) => f.name);
    expect(names).toContain('model.json');
    expect(names).toContain('preprocessing.json');
    const modelJson = JSON.parse(files.find((f) => f.name === 'model.json')!.data.toString('utf8'));
    expect(modelJson.modelTopology).toBeDefined();
    const weightFiles = (modelJson.weightsManifest as { paths: string[] }[]).flatMap((m) => m.paths);
    for (const w of weightFiles) expect(names).toContain(w);
    const prep = JSON.parse(files.find((f) => f.name === 'preprocessing.json')!.data.toString('utf8'));
    expect(JSON.stringify(prep)).toContain('load_mw');

    // The same run as one ONNX file (the run's normalisation, season included, is in the graph).
    await page.getByTestId('export-format-onnx').check();
    await expect.poll(() => page.getByTestId('export-format-note').textContent()).toContain('model.onnx');
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-model').click()]);
    expect(onnx.suggestedFilename()).toBe('run-1-best-onnx.zip');
    const onnxPath = join(dir, 'onnx.zip');
    await onnx.saveAs(onnxPath);
    const onnxFiles = unzipSync(readFileSync(onnxPath));
    expect(Object.keys(onnxFiles).sort()).toEqual(['model.onnx', 'preprocessing.json']);
    const onnxPrep = JSON.parse(Buffer.from(onnxFiles['preprocessing.json']!).toString('utf8'));
    expect(onnxPrep.onnx).toMatchObject({ file: 'model.onnx', opset: 17 });
    await page.getByTestId('export-format-tfjs').check();

    const [metricsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-metrics-csv').click(),
    ]);
    const csvPath = join(dir, 'metrics.csv');
    await metricsCsv.saveAs(csvPath);
    const lines = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
    expect(lines.length).toBeGreaterThan(6); // header + ≥ 3 epochs × 2 runs
    const header = lines[0]!.toLowerCase();
    expect(header).toMatch(/run/);
    expect(header).toMatch(/key|metric/);
    const body = lines.slice(1).join('\n');
    expect(body).toContain('val_loss');

    const [runsCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-runs-csv').click()]);
    const runsPath = join(dir, 'runs.csv');
    await runsCsv.saveAs(runsPath);
    const runsText = readFileSync(runsPath, 'utf8');
    expect(runsText).toContain('gru-8');
    expect(runsText).toContain('gru-16');
    const runsHeader = runsText.split('\n')[0]!.split(',');
    expect(runsHeader).toEqual(
      expect.arrayContaining(['ets.mae', 'naive.mae', 'seasonal.mae', 'ets.mae@3', 'season_length', 'season_how']),
    );
    expect(runsText).toMatch(/hourly timestamps/);
    await shot('09-export');
  }, 60_000);

  it('reads in the dark theme too', async () => {
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await nav('compare');
    await page.getByTestId('metrics-table').waitFor();
    await page.waitForTimeout(500);
    await shot('10-compare-dark');
    await nav('designer');
    await page.waitForTimeout(300);
    await shot('11-designer-dark');
  });

  it('opens a finished run from its address in a fresh tab, from what SQLite kept', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    await tab.goto(`${server.url}#/live/1`);
    await tab.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    await expect
      .poll(async () => (await tab.getByTestId('last-epoch').textContent()) ?? '')
      .toMatch(/^epoch 3: .*val_loss/);
    await tab.close();
  });

  it('a bookmark without the token opens by the cookie, with the whole stored log (issue 14 bugs 6, 7)', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    await tab.goto(`http://127.0.0.1:${server.port}/#/live/1`);
    await tab.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor();
    // Nothing of this run was heard live in this tab: the log comes from SQLite (runs.log).
    await expect.poll(async () => (await tab.getByTestId('run-log').textContent()) ?? '').toContain('start-up: total');
    expect(await tab.getByTestId('load-error').count()).toBe(0);
    // The runs table's sort lives in the address: a reload keeps it (a text column sorts A→Z first).
    await tab.goto(`http://127.0.0.1:${server.port}/#/runs`);
    await tab.getByTestId('sort-name').click();
    expect(new URL(tab.url()).searchParams.get('sort')).toBe('name:asc');
    await tab.reload();
    await tab.getByTestId('sort-name').waitFor();
    expect(await tab.getByTestId('sort-name').textContent()).toMatch(/▲/);
    await tab.close();
  });

  it('a browser without the cookie gets one clear page, and nothing retries', async () => {
    const other = await browser.newContext();
    const tab = await other.newPage();
    let sockets = 0;
    tab.on('websocket', () => sockets++);
    const res = await tab.goto(`http://127.0.0.1:${server.port}/#/runs`);
    expect(res?.status()).toBe(401);
    expect(await tab.textContent('h1')).toContain('Open the URL printed by rnn-workbench serve');
    await tab.waitForTimeout(1500);
    expect(sockets).toBe(0);
    await other.close();
  });

  it('raised no page errors and no CSP violations', () => {
    expect(pageErrors).toEqual([]);
    // The 401 of the token check and the 422 of the bad CSV are expected; nothing else is.
    expect(consoleErrors.filter((e) => !/status of (401|422)/.test(e))).toEqual([]);
  });
});
