// The Studies page in real Chromium against the browser-mode server and the real service: a tiny
// study (3 trials of 2 epochs) runs; the list shows its state and progress, the study page its
// trial rows, best, curve and parallel coordinates; a trial opens its run, which links back to the
// study; "Open best in designer" and "Sweep this…" create a second study from the UI, stopped from
// its page. Screenshots go to test-artifacts/e2e/studies-*.png.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { sineCsv, tempDir, tinySpec } from '../helpers.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'test-artifacts', 'e2e');

describe('studies in Chromium (browser mode)', () => {
  const t = tempDir('wb-e2e-studies-');
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let studyId = 0;
  const pageErrors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(shots, `studies-${name}.png`), fullPage: true });

  beforeAll(async () => {
    ensureRendererBuilt(root);
    mkdirSync(shots, { recursive: true });
    service = createService({ dbPath: join(t.dir, 'workbench.db'), host: 'server' });
    server = await startServer({ service, port: 0 });
    const ds = await service.call('datasets.import', { path: sineCsv(t.dir, 300), name: 'sine' });
    if (!ds.ok) throw new Error(ds.error.message);
    const s = await service.call('studies.create', {
      datasetId: ds.value.id,
      name: 'tiny sweep',
      base: tinySpec({ train: { epochs: 2, batchSize: 64, learningRate: 0.01, patience: 0 } }),
      space: { 'model.cell': ['lstm', 'gru'], 'train.learningRate': { float: [0.003, 0.03], log: true } },
      strategy: 'random',
      trials: 3,
      seed: 3,
      concurrency: 1,
    });
    if (!s.ok) throw new Error(s.error.message);
    studyId = s.value.id;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    t.cleanup();
  });

  it('lists the study with its state and progress, live until it completes', async () => {
    await page.goto(server.url);
    await page.getByTestId('nav-studies').click();
    const state = page.getByTestId(`study-state-${studyId}`);
    await state.waitFor({ timeout: 30_000 });
    expect(['running', 'completed']).toContain((await state.textContent())?.trim());
    expect(await page.getByTestId(`study-progress-${studyId}`).textContent()).toMatch(/^\d \/ 3$/);
    await shot('01-list');
    // No reload: the page follows the host's study events.
    await state.filter({ hasText: 'completed' }).waitFor({ timeout: 240_000 });
    expect(await page.getByTestId(`study-progress-${studyId}`).textContent()).toBe('3 / 3');
    expect(await page.getByTestId(`study-row-${studyId}`).textContent()).toContain('tiny sweep');
  }, 300_000);

  it('shows the study: trial rows, the best, the curve, parallel coordinates and importance', async () => {
    await page.getByRole('link', { name: 'tiny sweep' }).click();
    await page.getByTestId('study-detail').waitFor();
    expect(await page.getByTestId('study-state').textContent()).toContain('completed');
    const rows = page.locator('[data-testid^="trial-row-"]');
    await expect.poll(() => rows.count()).toBe(3);
    const table = (await page.getByTestId('trials-table').textContent()) ?? '';
    expect(table).toContain('model.cell');
    expect(table).toContain('train.learningRate');
    expect(table).toContain('completed');
    expect(await page.getByTestId('trials-count').textContent()).toBe('3 of 3 trials');
    expect(await page.getByTestId('study-best').textContent()).toMatch(/Best: \d.*trial \d, run #\d+/);
    await page.locator('[data-testid="study-parallel"] canvas').waitFor();
    expect(await page.getByTestId('study-importance').textContent()).toContain('train.learningRate');
    await page.waitForTimeout(400);
    await shot('02-study');
  }, 60_000);

  it('brushing an axis of the parallel coordinates filters the trials table', async () => {
    const s = await service.call('studies.get', { id: studyId });
    if (!s.ok) throw new Error(s.error.message);
    const lstm = s.value.trials.filter((t) => t.params['model.cell'] === 'lstm').map((t) => t.trial);
    const box = (await page.getByTestId('study-parallel').boundingBox())!;
    // The first axis (model.cell: gru below, lstm above) sits at the grid's left edge (60 px in);
    // the axis runs from 48 px below the top to 30 px above the bottom. Drag over its upper half.
    const x = box.x + 60;
    const top = box.y + 48;
    const mid = box.y + 48 + (box.height - 78) / 2;
    await page.mouse.move(x, top + 4);
    await page.mouse.down();
    await page.mouse.move(x, top + 40, { steps: 4 });
    await page.mouse.move(x, mid - 8, { steps: 4 });
    await page.mouse.up();
    await shot('02b-brushed');
    await expect.poll(() => page.getByTestId('trials-count').textContent()).toBe(`${lstm.length} of 3 trials`);
    const shown = await page
      .locator('[data-testid^="trial-row-"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(shown).toEqual(lstm.map((t) => `trial-row-${t}`));
  }, 60_000);

  it('opens a trial run, which links back to its study', async () => {
    await page.locator('[data-testid^="trial-row-"]').first().click(); // the brush left the lstm trials
    await page.getByTestId('run-study-link').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('run-study-link').textContent()).toBe(`study #${studyId}`);
    await page.getByTestId('run-study-link').click();
    await page.getByTestId('study-detail').waitFor();
  }, 60_000);

  it('sweeps the best configuration from the designer into a second study, and stops it', async () => {
    await page.getByTestId('study-to-designer').click();
    await page.getByTestId('sweep-this').click();
    await page.getByTestId('sweep-form').waitFor();
    await page.getByTestId('sweep-create').click();
    expect(await page.getByTestId('sweep-problem').textContent()).toMatch(/tick at least one/);
    await page.getByTestId('sweep-on-window.lookback').check();
    await page.getByTestId('sweep-min-window.lookback').fill('6');
    await page.getByTestId('sweep-max-window.lookback').fill('12');
    await page.getByTestId('sweep-trials').fill('4');
    await page.getByTestId('sweep-name').fill('lookback sweep');
    await shot('03-sweep-form');
    await page.getByTestId('sweep-create').click();
    await page.getByTestId('study-detail').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('study-detail').textContent()).toContain('lookback sweep');
    const stop = page.getByTestId('study-stop');
    if (await stop.count()) {
      await stop.click();
      await page
        .getByTestId('study-state')
        .filter({ hasText: /stopped|completed/ })
        .waitFor({ timeout: 60_000 });
    }
    // Its trials settle (stopped or ended; none left queued or running), and the page follows them.
    await expect
      .poll(() => page.getByTestId('trials-table').locator('tbody').textContent(), { timeout: 60_000 })
      .not.toMatch(/queued|running/);
    const list = await service.call('studies.list', {});
    expect(list.ok && list.value.map((s) => s.name)).toEqual(expect.arrayContaining(['tiny sweep', 'lookback sweep']));
    const second = list.ok ? list.value.find((s) => s.name === 'lookback sweep') : undefined;
    expect(second?.file.space).toEqual({ 'window.lookback': { int: [6, 12], log: false } });
    await shot('04-second-study');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('promotes the best trial of the first study: its run is tagged best and opens', async () => {
    await page.getByTestId('nav-studies').click();
    await page.getByRole('link', { name: 'tiny sweep' }).click();
    await page.getByTestId('study-detail').waitFor();
    const s = await service.call('studies.get', { id: studyId });
    if (!s.ok || !s.value.best) throw new Error('no best trial');
    await page.getByTestId('study-promote').click();
    await page.getByTestId('run-study-link').waitFor({ timeout: 20_000 });
    expect(page.url()).toContain(`#/live/${s.value.best.runId}`);
    const run = await service.call('runs.get', { id: s.value.best.runId });
    expect(run.ok && run.value.tags).toEqual(expect.arrayContaining(['best', `study:${studyId}`]));
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("shows tune's pick by backtest beside the best, stored on the study", async () => {
    const s = await service.call('studies.get', { id: studyId });
    if (!s.ok || !s.value.best) throw new Error('no best trial');
    // What tune stores after its re-ranking (core/study/rerank.ts): trial 0 (tune's defaults) first,
    // and a challenger that is not the best by validation picked by its backtest MAE.
    const first = s.value.trials.find((t) => t.trial === 0)!;
    const other = s.value.trials.find((t) => t.trial !== 0 && t.trial !== s.value.best!.trial)!;
    const cand = (t: typeof other, mae: number) => ({
      trial: t.trial,
      runId: t.runId,
      value: t.value ?? 1,
      backtestId: null,
      backtestMae: mae,
      folds: 3,
    });
    expect(
      service.setStudySelection(studyId, {
        trial: other.trial,
        runId: other.runId,
        by: 'backtest',
        candidates: [cand(first, 0.5), cand(other, 0.25)],
      }),
    ).toBe(true);
    await page.goto(`${server.url}#/studies`);
    const marked = page.getByTestId(`study-selected-${studyId}`);
    await marked.waitFor({ timeout: 20_000 });
    expect(await marked.textContent()).toContain(`selected by backtest: trial ${other.trial + 1}`);
    await page.getByRole('link', { name: 'tiny sweep' }).click();
    await page.getByTestId('study-selected').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('study-best').textContent()).toMatch(/Best by val_loss: \d.*trial \d, run #\d+/);
    const picked = (await page.getByTestId('study-selected').textContent())!.replace(/\s+/g, ' ');
    expect(picked).toContain(`Selected by backtest: trial ${other.trial + 1}, run #${other.runId}`);
    expect(picked).toContain('mean backtest MAE 0.25 over 3 folds before the test split');
    expect(picked).toContain("beat the defaults' backtest MAE 0.5 by at least 1%");
    await shot('05-selected');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
