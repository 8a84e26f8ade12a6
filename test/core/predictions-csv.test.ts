// The test predictions CSV (runs.csv what=predictions): one row per run, window and output, the
// baselines the database holds (an `ets` column added by a later migration included), class labels
// for a classifier, empty cells for what a run does not have.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blob, savePredictions } from '../../db/checkpoints.js';
import { openDb } from '../../db/open.js';
import { createService } from '../../core/service.js';
import { seedDataset, seedRun } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-pred-csv-');
afterAll(() => t.cleanup());

describe('predictions CSV', () => {
  it('writes every window and output with the baselines, ets where stored, labels for a classifier', async () => {
    const path = join(t.dir, 'p.db');
    const db = openDb(path);
    const ds = seedDataset(db);
    const a = seedRun(db, ds, { seed: 1, weights: 10 });
    const b = seedRun(db, ds, { seed: 2, weights: 10 });
    // The ETS baseline's column, as its migration adds it, holding values for run a only.
    if (
      !(db.prepare(`SELECT name FROM pragma_table_info('predictions')`).all() as { name: string }[]).some(
        (c) => c.name === 'ets',
      )
    ) {
      db.exec(`ALTER TABLE predictions ADD COLUMN ets BLOB`);
    }
    const f = (...v: number[]) => blob(new Float64Array(v));
    const time = f(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 1));
    savePredictions(db, {
      run_id: a,
      split: 'test',
      outputs: JSON.stringify(['value@1', 'value@2']),
      actual: f(1, 2, 3, 4),
      predicted: f(1.5, 2.5, 3.5, 4.5),
      naive: f(0, 0, 0, 0),
      seasonal: f(9, 9, 9, 9),
      time,
      classes: null,
    });
    db.prepare(`UPDATE predictions SET ets = ? WHERE run_id = ?`).run(f(7, 7, 8, 8), a);
    savePredictions(db, {
      run_id: b,
      split: 'test',
      outputs: JSON.stringify(['class']),
      actual: f(0, 1),
      predicted: f(1, 1),
      naive: f(0, 0),
      seasonal: null,
      time,
      classes: JSON.stringify(['down', 'up']),
    });
    db.close();
    const svc = createService({ dbPath: path });
    const r = await svc.call('runs.csv', { ids: [a, b], what: 'predictions' });
    await svc.close();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.fileName).toBe('predictions.csv');
    expect(r.value.csv.trim().split('\n')).toEqual([
      'run_id,run_name,split,time,series,output,actual,predicted,naive,seasonal,ets',
      `${a},run 1,test,2024-01-01T00:00:00.000Z,,value@1,1,1.5,0,9,7`,
      `${a},run 1,test,2024-01-01T00:00:00.000Z,,value@2,2,2.5,0,9,7`,
      `${a},run 1,test,2024-01-01T01:00:00.000Z,,value@1,3,3.5,0,9,8`,
      `${a},run 1,test,2024-01-01T01:00:00.000Z,,value@2,4,4.5,0,9,8`,
      `${b},run 2,test,2024-01-01T00:00:00.000Z,,class,down,up,down,,`,
      `${b},run 2,test,2024-01-01T01:00:00.000Z,,class,up,up,down,,`,
    ]);
  });
});
