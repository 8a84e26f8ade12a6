// @vitest-environment jsdom
// The run designer against the real service on a temp SQLite file (the sample CSV imported by a
// real worker): inline zod messages by field, the host's estimate, presets, and Train creating a run.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../../core/service.js';
import { AppState } from '../../../renderer/src/lib/app.svelte.js';
import Designer from '../../../renderer/src/pages/Designer.svelte';
import { inProcessClient } from '../client.js';

describe('Designer', () => {
  let dir: string;
  let service: Service;
  let app: AppState;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-designer-'));
    service = createService({ dbPath: join(dir, 'w.db') });
    const imported = await service.call('datasets.import', {
      path: join(__dirname, '..', '..', '..', 'samples', 'city-energy.csv'),
    });
    if (!imported.ok) throw new Error(imported.error.message);
    app = new AppState(inProcessClient(service));
    await app.start();
  }, 60_000);

  afterAll(async () => {
    app?.stop();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const input = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;

  it('shows the estimate from the host for the default form', async () => {
    render(Designer, { app });
    await waitFor(() => expect(screen.getByTestId('param-count')).toBeTruthy(), { timeout: 5000 });
    // GRU 64 on one feature: 3·(64·(1+64)+64) = 12,672 + dense 65 = 12,737.
    expect(screen.getByTestId('param-count').textContent).toBe('12,737');
    expect(screen.getByTestId('windows').textContent).toMatch(/^[\d,]+ \/ [\d,]+ \/ [\d,]+$/);
  });

  it('puts the schema message under the field and disables Train until it is fixed', async () => {
    render(Designer, { app });
    await fireEvent.input(input('window.lookback'), { target: { value: '0' } });
    await waitFor(() =>
      expect(screen.getByTestId('err-window.lookback').textContent).toBe('Lookback must be at least 1.'),
    );
    expect(input('window.lookback').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('train') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input('split.train'), { target: { value: '0.9' } });
    await waitFor(() => expect(screen.getByTestId('err-split').textContent).toMatch(/add up to 1/));
    await fireEvent.input(input('window.lookback'), { target: { value: '24' } });
    await fireEvent.input(input('split.train'), { target: { value: '0.7' } });
    await waitFor(() => expect(screen.queryByTestId('err-window.lookback')).toBeNull());
    expect((screen.getByTestId('train') as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows the host refusal for a lookback longer than the train split at that field', async () => {
    render(Designer, { app });
    await fireEvent.input(input('window.lookback'), { target: { value: '2100' } });
    await waitFor(
      () => expect(screen.getByTestId('err-window.lookback').textContent).toMatch(/train split has 2049 rows/),
      {
        timeout: 5000,
      },
    );
    expect(screen.getByTestId('estimate-error').textContent).toMatch(/lookback 2100/);
  });

  it('applies a preset and trains: the run is created with the form spec', async () => {
    render(Designer, { app });
    await fireEvent.click(screen.getByTestId('preset-quick'));
    expect(input('model.layers.0.units').value).toBe('16');
    await fireEvent.input(input('train.epochs'), { target: { value: '1' } });
    await fireEvent.input(input('name'), { target: { value: 'from-test' } });
    await fireEvent.click(screen.getByTestId('train'));
    await waitFor(() => expect(app.runs.some((r) => r.name === 'from-test')).toBe(true), { timeout: 5000 });
    const run = app.runs.find((r) => r.name === 'from-test')!;
    expect(run.spec.model.cell).toBe('gru');
    expect(run.spec.train.epochs).toBe(1);
    expect(app.route).toEqual({ page: 'live', id: run.id });
    await service.call('runs.stop', { id: run.id });
    await service.waitForRun(run.id);
  }, 60_000);
});
