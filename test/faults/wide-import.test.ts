// A CSV of 70,000 columns: the worker's result message is large, and a worker that exits before it
// is flushed made the host report "import worker exited (code 0) before finishing" while the
// dataset was stored (a retry then made a duplicate). An import reports success or leaves nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/service.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-wide-');
afterAll(() => t.cleanup());

function wideCsv(cols: number, rows: number): string {
  const header = ['time', ...Array.from({ length: cols - 1 }, (_, i) => `sensor_${i}`)].join(',');
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const cells = [`2024-01-${String(r + 1).padStart(2, '0')}`];
    for (let c = 1; c < cols; c++) cells.push(String((r * 31 + c) % 97));
    lines.push(cells.join(','));
  }
  const file = join(t.dir, 'wide.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('import of a very wide CSV through the forked worker', () => {
  it('reports success for the one dataset it stores (70,000 columns)', { timeout: 240_000 }, async () => {
    const file = wideCsv(70_000, 5);
    const svc = createService({ dbPath: join(t.dir, 'wide.db') });
    try {
      const r = await svc.call('datasets.import', { path: file });
      expect(r.ok ? 'ok' : r.error.message).toBe('ok');
      if (!r.ok) return;
      expect(r.value.columns).toHaveLength(70_000);
      const list = await svc.call('datasets.list', {});
      expect(list.ok && list.value.map((d) => d.id)).toEqual([r.value.id]);
    } finally {
      await svc.close();
    }
  });
});
