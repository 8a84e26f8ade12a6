// Issue 14, bug 5 ("the runs list goes stale: runs created by the CLI on the same database never
// appear until a reload"), in real Chromium against the browser-mode server: runs written into
// the SQLite file by another connection (as the CLI's process writes them) appear in the open
// runs table without a reload. The service end of it is tested with a real CLI process in
// test/core/external-changes.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../core/server.js';
import { createService, type Service } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { seedRuns, type SeedRun } from './seed.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bug 5: runs from another process appear in the open runs table, in Chromium', () => {
  let dir: string;
  let dbPath: string;
  let service: Service;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let run: (name: string) => SeedRun;

  beforeAll(async () => {
    ensureRendererBuilt(root);
    dir = mkdtempSync(join(tmpdir(), 'wb-e2e-bug5-'));
    dbPath = join(dir, 'workbench.db');
    const csv = join(dir, 'level.csv');
    const values = Array.from({ length: 120 }, (_, i) => 10 + Math.sin(i / 6));
    writeFileSync(csv, `t,level\n${values.map((v, i) => `${i},${v.toFixed(4)}`).join('\n')}\n`);
    const first = createService({ dbPath, host: 'server' });
    const r = await first.call('datasets.import', { path: csv, name: 'level' });
    if (!r.ok) throw new Error(r.error.message);
    await first.close();
    run = (name) => ({
      name,
      datasetId: r.value.id,
      target: 'level',
      time: values.slice(-20).map((_, i) => i),
      actual: values.slice(-20),
      offset: 0.1,
    });
    seedRuns(dbPath, [run('before-1')]);
    service = createService({ dbPath, host: 'server' });
    server = await startServer({ service, port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-count').filter({ hasText: '1 of 1 runs' }).waitFor({ timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('three runs committed by another connection show up, named, with their scores, without a reload', async () => {
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    seedRuns(dbPath, [run('cli-a'), run('cli-b'), run('cli-c')]);
    await expect.poll(() => page.getByTestId('runs-count').textContent(), { timeout: 15_000 }).toBe('4 of 4 runs');
    const names = await page
      .locator('[data-testid="run-row"] [data-col="name"]')
      .evaluateAll((els) => els.map((e) => e.textContent?.trim()));
    expect(names).toEqual(expect.arrayContaining(['cli-a', 'cli-b', 'cli-c', 'before-1']));
    const row = page.locator('[data-testid="run-row"]', { hasText: 'cli-c' });
    expect(await row.locator('[data-col="status"]').textContent()).toContain('completed');
    expect(await row.locator('[data-col="valLoss"]').textContent()).toMatch(/^\s*\d/);
    expect(loads).toEqual([]);
  }, 60_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
