// @vitest-environment jsdom
// The pages' state classes end their timers: a zoom or an estimate still waiting when the page
// goes away asks nothing of the host afterwards. Against the real service on a temp SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import type { Client } from '../../../renderer/src/lib/api.js';
import { AppState } from '../../../renderer/src/lib/app.svelte.js';
import { DatasetChartState } from '../../../renderer/src/lib/datasetChart.svelte.js';
import { DesignerState } from '../../../renderer/src/lib/designer.svelte.js';
import { inProcessClient } from '../client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('page state classes', () => {
  let dir: string;
  let service: Service;
  let datasetId: number;
  const calls: { method: MethodName; args: unknown }[] = [];
  let client: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-page-state-'));
    service = createService({ dbPath: join(dir, 'w.db') });
    const imported = await service.call('datasets.import', {
      path: join(__dirname, '..', '..', '..', 'samples', 'city-energy.csv'),
    });
    if (!imported.ok) throw new Error(imported.error.message);
    datasetId = imported.value.id;
    const inner = inProcessClient(service);
    client = { ...inner, call: (method, args) => (calls.push({ method, args }), inner.call(method, args)) };
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DatasetChartState: fetches the zoomed window after the debounce, and not once destroyed', async () => {
    const chart = new DatasetChartState(client);
    chart.load({ id: datasetId, columns: ['load_mw'] });
    await expect.poll(() => chart.overview !== null).toBe(true);
    const x = chart.overview!.time ?? chart.overview!.index!;
    const range: [number, number] = [x[10]!, x[20]!];
    chart.zoom(range);
    await expect.poll(() => chart.detail !== null).toBe(true);
    expect(calls.filter((c) => c.method === 'datasets.series').at(-1)!.args).toMatchObject({ range });

    calls.length = 0;
    chart.zoom([x[30]!, x[40]!]);
    chart.destroy();
    await sleep(400);
    expect(calls).toEqual([]);
  });

  it('DatasetChartState: an answer for the previous dataset that lands after a selection with nothing to plot is dropped', async () => {
    // Issue 14 bug 4: a refresh re-asked for the numeric dataset's series just before the new
    // dataset (no numeric columns) was selected; that answer then drew the old chart under it.
    const chart = new DatasetChartState(client);
    chart.load({ id: datasetId, columns: ['load_mw'] });
    chart.load(null);
    await sleep(500);
    expect(chart.overview).toBeNull();
    expect(chart.option).toBeNull();
    expect(chart.datasetId).toBeNull();
    chart.destroy();
  });

  it('DesignerState: asks for an estimate after the debounce, and not once destroyed', async () => {
    const app = new AppState(client);
    await app.refreshDatasets();
    const designer = new DesignerState(app);
    designer.takeSeed();
    expect(designer.datasetId).toBe(datasetId);
    designer.requestEstimate();
    await expect.poll(() => designer.estimate?.paramCount ?? null).toBeGreaterThan(0);

    calls.length = 0;
    designer.form.window.lookback = 12;
    designer.requestEstimate();
    designer.destroy();
    await sleep(600);
    expect(calls.filter((c) => c.method === 'runs.estimate')).toEqual([]);
  });
});
