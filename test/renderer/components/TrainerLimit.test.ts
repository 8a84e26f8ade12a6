// @vitest-environment jsdom
// The "Trainers at once" control over the real service (temp SQLite file): it shows the stored
// limit and stores a new one, which every host on that database then applies.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import TrainerLimit from '../../../renderer/src/components/TrainerLimit.svelte';
import { createService } from '../../../core/service.js';
import { inProcessClient } from '../client.js';
import { tempDir } from '../../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('TrainerLimit', () => {
  it('shows the stored limit and stores a new one', async () => {
    const svc = createService({ dbPath: join(t.dir, 'ui.db') });
    await svc.call('settings.set', { maxTrainers: 3 });
    const onChanged = vi.fn();
    render(TrainerLimit, { client: inProcessClient(svc), onChanged });
    const input = await screen.findByTestId<HTMLInputElement>('max-trainers');
    expect(input.value).toBe('3');
    await fireEvent.input(input, { target: { value: '1' } });
    await fireEvent.change(input);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    const stored = await svc.call('settings.get', {});
    expect(stored.ok && stored.value).toMatchObject({ maxTrainers: 1, maxTrainersSet: true });
    await svc.close();
  });
});
