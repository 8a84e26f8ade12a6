// @vitest-environment jsdom
// "Re-import with these types…" over the real service (temp SQLite file, real import worker): a
// dataset that was itself retyped lists every column of its file, the ignored ones included, and
// its earlier types go with the new import. The file comes from `pickCsv`, the path the desktop
// app's native dialog takes (no upload).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../../core/contract.js';
import { createService, type Service } from '../../../core/service.js';
import ColumnTypesForm from '../../../renderer/src/components/datasets/ColumnTypesForm.svelte';
import { AppState } from '../../../renderer/src/lib/app.svelte.js';
import { tempDir } from '../../helpers.js';
import { inProcessClient } from '../client.js';

const t = tempDir();
// store: a zero-padded id the importer reads as a number; sales: plain numbers.
const shop = join(t.dir, 'shop.csv');
writeFileSync(
  shop,
  `day,store,sales\n${Array.from({ length: 12 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')},${i % 2 ? '012' : '007'},${10 + i}`).join('\n')}\n`,
);

describe('ColumnTypesForm', () => {
  let service: Service;
  let app: AppState;
  let retyped: DatasetSummary;

  beforeAll(async () => {
    service = createService({ dbPath: join(t.dir, 'w.db') });
    // The dataset a first re-import made: store as text, sales ignored.
    const r = await service.call('datasets.import', {
      path: shop,
      name: 'shop (retyped)',
      columnTypes: { store: 'text', sales: 'ignore' },
    });
    if (!r.ok) throw new Error(r.error.message);
    retyped = r.value;
    app = new AppState({ ...inProcessClient(service), pickCsv: async () => shop });
    await app.start();
  }, 60_000);

  afterAll(async () => {
    app?.stop();
    await service?.close();
    t.cleanup();
  });

  it('the dataset keeps the file header and the types it was read with', () => {
    expect(retyped.columns.map((c) => c.name)).toEqual(['day', 'store']);
    expect(retyped.source).toEqual({
      header: ['day', 'store', 'sales'],
      columnTypes: { store: 'text', sales: 'ignore' },
    });
  });

  it('lists the ignored column too, and re-imports it with the earlier types kept', async () => {
    render(ColumnTypesForm, { app, dataset: retyped });
    const sales = screen.getByTestId<HTMLSelectElement>('retype:sales');
    expect(sales.value).toBe('ignore');
    expect(screen.getByTestId<HTMLSelectElement>('retype:store').value).toBe('text');
    expect(screen.getByTestId<HTMLSelectElement>('retype:day').value).toBe('time');
    const go = screen.getByTestId<HTMLButtonElement>('retype-import');
    expect(go.disabled).toBe(true);
    await fireEvent.change(sales, { target: { value: 'number' } });
    expect(go.disabled).toBe(false);
    await fireEvent.click(go);
    await waitFor(() => expect(app.datasets.length).toBe(2), { timeout: 30_000 });
    const made = app.datasets.find((d) => d.id !== retyped.id)!;
    expect(app.selectedDatasetId).toBe(made.id);
    // store stays text (the earlier type, sent again), sales comes back as numbers.
    expect(made.columns.map((c) => [c.name, c.kind])).toEqual([
      ['day', 'datetime'],
      ['store', 'categorical'],
      ['sales', 'numeric'],
    ]);
    expect(made.source.columnTypes).toEqual({ store: 'text', sales: 'number' });
  }, 60_000);
});
