// The runs table: atomic status changes, ids never reused, and the 001 → 002 rebuild of `runs`
// keeping every row and every child table's link.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadMigrations, openDb, SCHEMA_VERSION } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { tempDir } from '../helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

function dataset(db: ReturnType<typeof openDb>): number {
  return Number(
    db
      .prepare(
        `INSERT INTO datasets (name, source_name, sha256, imported_at, row_count) VALUES ('d', 'd.csv', 'x', '2026-01-01', 3)`,
      )
      .run().lastInsertRowid,
  );
}
/** A run stored the way a 001 database's code stored it (no uuid column yet). */
function v1Run(db: ReturnType<typeof openDb>, datasetId: number, parentId: number | null = null): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO runs (name, dataset_id, status, spec, seed, created_at, parent_id) VALUES ('r', ?, 'queued', '{}', 1, 'now', ?)`,
      )
      .run(datasetId, parentId).lastInsertRowid,
  );
  db.prepare(`INSERT INTO run_tags (run_id, tag) VALUES (?, 'a')`).run(id);
  return id;
}
const newRun = (datasetId: number, parentId: number | null = null) => ({
  name: 'r',
  datasetId,
  spec: '{}',
  seed: 1,
  parentId,
  params: { 'model.cell': 'lstm' },
  tags: ['a'],
});

describe('runs table', () => {
  it('never reuses a deleted run id', () => {
    const db = openDb(join(t.dir, 'ids.db'));
    const ds = dataset(db);
    expect(runsDb.insertRun(db, newRun(ds))).toBe(1);
    const two = runsDb.insertRun(db, newRun(ds));
    expect(two).toBe(2);
    runsDb.finishRun(db, two, 'failed', 'x');
    expect(runsDb.deleteRun(db, two)).toBe(true);
    expect(runsDb.insertRun(db, newRun(ds))).toBe(3);
    db.close();
  });

  it('changes status only from the statuses named, in one statement', () => {
    const db = openDb(join(t.dir, 'claim.db'));
    const id = runsDb.insertRun(db, newRun(dataset(db)));
    expect(runsDb.deleteRun(db, id)).toBe(false); // queued: a trainer owns it
    expect(runsDb.requeueRun(db, id)).toBe(false); // queued is not resumable
    runsDb.finishRun(db, id, 'interrupted', 'host died');
    expect(runsDb.requeueRun(db, id)).toBe(true);
    expect(runsDb.requeueRun(db, id)).toBe(false); // the second resume loses
    const info = { pid: 1, backend: 'cpu', device: 'cpu', impl: 'x', paramCount: 1 };
    expect(runsDb.markStarted(db, id, info)).toBe(true);
    expect(runsDb.markStarted(db, id, info)).toBe(false); // a second trainer does not take a running run
    expect(runsDb.claimRun(db, id, ['running'], 'stopped')).toBe(true);
    expect(runsDb.getRun(db, id)!.status).toBe('stopped');
    expect(runsDb.deleteRun(db, id)).toBe(true);
    db.close();
  });

  it('migrates a 001 database to AUTOINCREMENT ids with its runs and their children intact', () => {
    const file = join(t.dir, 'old.db');
    const v1 = loadMigrations().filter((m) => m.version === 1);
    const old = openDb(file, { migrations: v1 });
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    const ds = dataset(old);
    const a = v1Run(old, ds);
    const b = v1Run(old, ds, a);
    const c = v1Run(old, ds);
    old
      .prepare(`INSERT INTO metrics (run_id, key, epoch, step, value, wall_time) VALUES (?, 'loss', 1, 1, 0.5, 1)`)
      .run(b);
    old
      .prepare(
        `INSERT INTO checkpoints (run_id, kind, epoch, topology, weight_specs, weights, preprocessing, created_at) VALUES (?, 'best', 1, '{}', '[]', x'00', '{}', 'now')`,
      )
      .run(b);
    // Plain SQL: today's finishRun names columns a version 1 database does not have yet.
    old.prepare(`UPDATE runs SET status = 'failed' WHERE id = ?`).run(c);
    runsDb.deleteRun(old, c); // before 002 the highest id is reused
    old.close();

    const db = openDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const rows = runsDb.listRuns(db).map((r) => [r.id, r.parent_id, r.status, r.dataset_name]);
    expect(rows).toEqual([
      [b, a, 'queued', 'd'],
      [a, null, 'queued', 'd'],
    ]);
    expect(runsDb.runTags(db).get(b)).toEqual(['a']);
    const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'runs'`).get() as { sql: string }).sql;
    expect(sql).toMatch(/AUTOINCREMENT/);
    expect(sql).toMatch(/'pruned'/);
    const children = db.prepare(`SELECT sql FROM sqlite_master WHERE sql LIKE '%REFERENCES runs_002%'`).all();
    expect(children).toEqual([]);
    const indexes = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(indexes.sort()).toEqual([
      'runs_backtest_fold',
      'runs_dataset',
      'runs_status',
      'runs_study_trial',
      'runs_uuid',
    ]);
    // 005 gave every existing run its own uuid.
    const uuids = (db.prepare(`SELECT uuid FROM runs`).all() as { uuid: string }[]).map((r) => r.uuid);
    expect(uuids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u))).toBe(
      true,
    );
    expect(new Set(uuids).size).toBe(uuids.length);
    // Children still follow their run: deleting it cascades.
    runsDb.finishRun(db, b, 'failed');
    expect(runsDb.deleteRun(db, b)).toBe(true);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM metrics`).get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM checkpoints`).get()).toEqual({ n: 0 });
    expect(runsDb.insertRun(db, newRun(ds))).toBe(b + 1);
    db.close();
  });
});

describe('evaluation notes (migration 006)', () => {
  it('stores how the season was found and the evaluation notes beside the test metrics', () => {
    const db = openDb(join(t.dir, 'notes.db'));
    const id = runsDb.insertRun(db, newRun(dataset(db)));
    expect(runsDb.getRun(db, id)).toMatchObject({ season_how: null, test_notes: '[]' });
    runsDb.setTestMetrics(
      db,
      id,
      { season_length: 12, 'ets.mae': 1 },
      { seasonHow: 'monthly time column → season 12', notes: ['ETS baseline for y: ETS(A,Ad,A)'] },
    );
    const r = runsDb.getRun(db, id)!;
    expect(r.season_how).toBe('monthly time column → season 12');
    expect(JSON.parse(r.test_notes)).toEqual(['ETS baseline for y: ETS(A,Ad,A)']);
    db.close();
  });

  it('fills the season of runs evaluated before it from their best checkpoint', () => {
    const file = join(t.dir, 'before-006.db');
    const old = openDb(file, { migrations: loadMigrations().filter((m) => m.version < 6) });
    const ds = dataset(old);
    const [evaluated, notYet, tooOld, damaged] = [1, 2, 3, 4].map(() => runsDb.insertRun(old, newRun(ds))) as [
      number,
      number,
      number,
      number,
    ];
    const cp = old.prepare(
      `INSERT INTO checkpoints (run_id, kind, epoch, topology, weight_specs, weights, preprocessing, created_at) VALUES (?, ?, 1, '{}', '[]', x'00', ?, 'now')`,
    );
    cp.run(evaluated, 'best', JSON.stringify({ seasonLength: 24, seasonHow: 'hourly time column → season 24' }));
    cp.run(evaluated, 'last', JSON.stringify({ seasonHow: 'not this one' }));
    cp.run(notYet, 'best', JSON.stringify({ seasonHow: 'hourly time column → season 24' }));
    cp.run(tooOld, 'best', JSON.stringify({ seasonLength: 5 }));
    cp.run(damaged, 'best', '{not json');
    old
      .prepare(`UPDATE runs SET test_metrics = '{"season_length":24,"test.mae":1}' WHERE id IN (?, ?, ?)`)
      .run(evaluated, tooOld, damaged);
    old.close();
    const db = openDb(file);
    const how = (id: number) => runsDb.getRun(db, id)!.season_how;
    expect([how(evaluated), how(notYet), how(tooOld), how(damaged)]).toEqual([
      'hourly time column → season 24',
      null,
      null,
      null,
    ]);
    db.close();
  });
});

describe('insertRun', () => {
  it('checks the parent inside the insert, with a contract error code', async () => {
    const { toApiError } = await import('../../core/errors.js');
    const db = openDb(join(t.dir, 'parent.db'));
    const ds = dataset(db);
    let err: unknown;
    try {
      runsDb.insertRun(db, newRun(ds, 99));
    } catch (e) {
      err = e;
    }
    expect(toApiError(err)).toEqual({ code: 'not_found', message: 'parent run 99 does not exist', field: 'parentId' });
    expect(runsDb.listRuns(db)).toEqual([]);
    db.close();
  });
});
