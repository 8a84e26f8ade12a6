// An import either reports success or leaves nothing: a worker killed (SIGKILL) after it committed
// the dataset but before the host got its result left a dataset nobody was told about, and the
// retry then made a duplicate. The worker pauses after its commit through a test hook
// (RNN_WORKBENCH_TEST_PAUSE_AFTER_IMPORT_COMMIT names a file it writes its pid to) and is killed there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { sineCsv, tempDir } from '../helpers.js';

const HOOK = 'RNN_WORKBENCH_TEST_PAUSE_AFTER_IMPORT_COMMIT';
const t = tempDir('rnnwb-killimport-');
afterAll(() => {
  delete process.env[HOOK];
  t.cleanup();
});

async function waitForFile(file: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  while (!existsSync(file) || readFileSync(file, 'utf8') === '') {
    if (Date.now() > end) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return readFileSync(file, 'utf8');
}

describe('an import worker killed after its commit', () => {
  it('leaves no dataset, and the retry stores exactly one', { timeout: 120_000 }, async () => {
    const csv = sineCsv(t.dir, 500);
    const svc = createService({ dbPath: join(t.dir, 'wb.db') });
    try {
      const pidFile = join(t.dir, 'worker.pid');
      process.env[HOOK] = pidFile; // the forked worker inherits it
      const importing = svc.call('datasets.import', { path: csv });
      const pid = Number(await waitForFile(pidFile, 60_000));
      delete process.env[HOOK];
      const committed = await svc.call('datasets.list', {});
      expect(committed.ok && committed.value.length).toBe(1); // stored, not yet reported
      process.kill(pid, 'SIGKILL');
      const failed = await importing;
      expect(failed.ok).toBe(false);
      if (!failed.ok) expect(failed.error.message).toMatch(/import worker exited \(SIGKILL\) before finishing/);
      const list = await svc.call('datasets.list', {});
      expect(list.ok && list.value).toEqual([]);

      const retry = await svc.call('datasets.import', { path: csv });
      expect(retry.ok ? 'ok' : retry.error.message).toBe('ok');
      const after = await svc.call('datasets.list', {});
      expect(after.ok && after.value.map((d) => d.id)).toEqual([retry.ok && retry.value.id]);
      expect(retry.ok && retry.value.rowCount).toBe(500);
    } finally {
      await svc.close();
    }
  });
});
