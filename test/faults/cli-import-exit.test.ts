// `rnn-workbench import` stored the dataset and then died with a stack trace ("Error: write EPIPE",
// exit 1) in most runs: closing the service sent a stop message to the import worker that had just
// sent its result and exited, and the failed write was an unhandled 'error' event. Real CLI
// processes, several in a row, because the window is a race the host loses most of the time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sineCsv, tempDir } from '../helpers.js';

const t = tempDir('rnnwb-import-exit-');
afterAll(() => t.cleanup());

describe('rnn-workbench import, as a process', () => {
  it('exits 0 with no stack trace once the dataset is stored', { timeout: 120_000 }, () => {
    const csv = sineCsv(t.dir, 500);
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(
        process.execPath,
        ['bin/rnn-workbench.js', 'import', csv, '--json', '--db', join(t.dir, `x${i}.db`)],
        {
          encoding: 'utf8',
          env: { ...process.env, RNN_WORKBENCH_SOURCE: '1' },
        },
      );
      expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: 1, rowCount: 500 });
    }
  });
});
