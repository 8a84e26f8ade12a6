// Run bundles between two real SQLite files through the service (issue 13): a round trip keeps
// every row and byte, ids are mapped, a corrupt or newer bundle is refused naming the file and
// the entry with nothing stored, a re-import adds nothing, a run trained further elsewhere comes
// back as an update, and --no-data needs the dataset (same sha256) to be there.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { createService, type Service } from '../../core/service.js';
import { sha256Hex } from '../../core/bundle-archive.js';
import { count, dumpRun, seedDataset, seedRun, trainEpochs, uuidOf } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';

const t = tempDir('rnnwb-bundles-');
afterAll(() => t.cleanup());

let n = 0;
function fresh(): { svc: Service; db: DB; path: string } {
  const path = join(t.dir, `db-${++n}.db`);
  const svc = createService({ dbPath: path });
  return { svc, db: openDb(path), path };
}

async function close(...all: { svc: Service; db: DB }[]): Promise<void> {
  for (const x of all) {
    x.db.close();
    await x.svc.close();
  }
}

/** Five runs on one dataset, the third a child of the second (a clone or resume). */
function seedFive(db: DB): number[] {
  const ds = seedDataset(db);
  const ids: number[] = [];
  for (let i = 0; i < 5; i++)
    ids.push(seedRun(db, ds, { seed: i + 1, parentId: i === 2 ? ids[1]! : null, weights: 500 }));
  return ids;
}

/** The offset of an entry's data in a zip, from its local header. */
function entryData(zip: Buffer, name: string): number {
  for (let p = 0; zip.readUInt32LE(p) === 0x04034b50;) {
    const size = zip.readUInt32LE(p + 18);
    const nameLen = zip.readUInt16LE(p + 26);
    const start = p + 30 + nameLen + zip.readUInt16LE(p + 28);
    if (zip.subarray(p + 30, p + 30 + nameLen).toString() === name) return start;
    p = start + size;
  }
  throw new Error(`no entry ${name}`);
}

async function must<T>(r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const got = await r;
  if (!got.ok) throw new Error(got.error.message);
  return got.value;
}

describe('run bundles', () => {
  it('round-trips five runs into another database: every row and byte kept, ids mapped', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const b = fresh();
    // B already holds other things, so the ids the bundle's rows get here differ from A's.
    const other = seedDataset(b.db, 50, 'other');
    seedRun(b.db, other, { seed: 99, weights: 10 });
    seedRun(b.db, other, { seed: 98, weights: 10 });
    const file = join(t.dir, 'five.rnnwb');
    const made = await must(a.svc.call('runs.bundle', { ids, outPath: file }));
    expect(made).toMatchObject({ path: file, runs: 5, datasets: 1, withData: true });
    const got = await must(b.svc.call('runs.importBundle', { path: file }));
    expect(got.added.map((r) => r.uuid)).toEqual(ids.map((id) => uuidOf(a.db, id)));
    expect(got).toMatchObject({ updated: [], skipped: [], datasetsAdded: 1, datasetsReused: 0 });
    for (const id of ids) {
      const uuid = uuidOf(a.db, id);
      expect(dumpRun(b.db, uuid)).toEqual(dumpRun(a.db, uuid));
    }
    // New ids here; the child points at the parent's new id; the dataset is a new row with A's columns.
    const newIds = got.added.map((r) => r.id);
    expect(newIds).toEqual([3, 4, 5, 6, 7]);
    expect(runsDb.getRun(b.db, newIds[2]!)!.parent_id).toBe(newIds[1]);
    const dsB = runsDb.getRun(b.db, newIds[0]!)!.dataset_id!;
    expect(dsB).not.toBe(other);
    const cols = (db: DB, id: number) =>
      db
        .prepare(
          `SELECT idx, name, kind, stats, missing, dtype, labels, data FROM dataset_columns WHERE dataset_id = ? ORDER BY idx`,
        )
        .all(id);
    expect(cols(b.db, dsB)).toEqual(cols(a.db, runsDb.getRun(a.db, ids[0]!)!.dataset_id!));
    const ui = await must(b.svc.call('runs.get', { id: newIds[0]! }));
    expect(ui).toMatchObject({
      name: 'run 1',
      status: 'completed',
      epochsDone: 5,
      tags: ['bundle', 's1'],
      notes: 'notes of 1',
    });
    await close(a, b);
  });

  it('refuses a bundle with a flipped byte, naming the file and the entry, and stores nothing', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const file = join(t.dir, 'flip.rnnwb');
    await must(a.svc.call('runs.bundle', { ids, outPath: file }));
    const zip = readFileSync(file);
    const entry = `runs/${uuidOf(a.db, ids[3]!)}/checkpoints.0.weights.bin`;
    zip[entryData(zip, entry) + 100]! ^= 0x01;
    const bad = join(t.dir, 'flipped.rnnwb');
    writeFileSync(bad, zip);
    const b = fresh();
    const r = await b.svc.call('runs.importBundle', { path: bad });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input', field: 'path' } });
    if (!r.ok)
      expect(r.error.message).toBe(
        `${bad}: entry "${entry}" is corrupt (its sha256 does not match the manifest); nothing was imported`,
      );
    // A byte flipped in a deflated entry fails the inflate or the checksum; either way named and nothing stored.
    const zip2 = readFileSync(file);
    const json = `runs/${uuidOf(a.db, ids[0]!)}.json`;
    zip2[entryData(zip2, json) + 20]! ^= 0xff;
    writeFileSync(bad, zip2);
    const r2 = await b.svc.call('runs.importBundle', { path: bad });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.message).toContain(`"${json}"`);
    writeFileSync(bad, zip.subarray(0, 1000));
    const r3 = await b.svc.call('runs.importBundle', { path: bad });
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.error.message).toMatch(new RegExp(`^${bad}: not a readable bundle`));
    for (const table of ['runs', 'datasets', 'metrics', 'checkpoints']) expect(count(b.db, table)).toBe(0);
    await close(a, b);
  });

  it('refuses a bundle of a newer format version with a message saying so', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const file = join(t.dir, 'new.rnnwb');
    await must(a.svc.call('runs.bundle', { ids: ids.slice(0, 1), outPath: file }));
    const entries = unzipSync(readFileSync(file));
    const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as Record<string, unknown>;
    entries['manifest.json'] = strToU8(JSON.stringify({ ...manifest, formatVersion: 2, appVersion: '9.0.0' }));
    writeFileSync(file, zipSync(entries));
    const b = fresh();
    const r = await b.svc.call('runs.importBundle', { path: file });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    if (!r.ok)
      expect(r.error.message).toBe(
        `${file}: written by a newer Recurrent Workbench (9.0.0, bundle format 2); this version reads format 1: update the app to import it; nothing was imported`,
      );
    expect(count(b.db, 'runs')).toBe(0);
    await close(a, b);
  });

  it('does not duplicate a run on re-import, nor in the database it came from', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const file = join(t.dir, 'again.rnnwb');
    await must(a.svc.call('runs.bundle', { ids, outPath: file }));
    const home = await must(a.svc.call('runs.importBundle', { path: file }));
    expect(home.added).toEqual([]);
    expect(home.skipped.map((s) => s.id)).toEqual(ids);
    const b = fresh();
    await must(b.svc.call('runs.importBundle', { path: file }));
    const again = await must(b.svc.call('runs.importBundle', { path: file }));
    expect(again).toMatchObject({ added: [], updated: [], datasetsAdded: 0 });
    expect(again.skipped[0]!.reason).toBe('already here with 5 epoch(s); the bundle has 5');
    expect(count(b.db, 'runs')).toBe(5);
    expect(count(b.db, 'datasets')).toBe(1);
    await close(a, b);
  });

  it('brings back a run trained further elsewhere as an update of the same run', async () => {
    const a = fresh();
    const ds = seedDataset(a.db);
    const id = seedRun(a.db, ds, { epochs: 2, status: 'stopped', weights: 300 });
    const uuid = uuidOf(a.db, id);
    const out = join(t.dir, 'out.rnnwb');
    await must(a.svc.call('runs.bundle', { ids: [id], outPath: out }));
    const b = fresh();
    const there = (await must(b.svc.call('runs.importBundle', { path: out }))).added[0]!.id;
    // On B: resumed from epoch 2 to 6 (metrics appended, checkpoints replaced), then completed.
    trainEpochs(b.db, there, 3, 6, 300, 42);
    runsDb.finishRun(b.db, there, 'completed');
    b.db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(there);
    const back = join(t.dir, 'back.rnnwb');
    await must(b.svc.call('runs.bundle', { ids: [there], outPath: back }));
    await must(a.svc.call('runs.update', { id, name: 'renamed here', notes: 'edited here' }));
    const r = await must(a.svc.call('runs.importBundle', { path: back }));
    expect(r).toMatchObject({ added: [], updated: [{ uuid, id }], skipped: [] });
    const { fields: fa, ...restA } = dumpRun(a.db, uuid);
    const { fields: _fb, ...restB } = dumpRun(b.db, uuid);
    expect(restA).toEqual(restB); // metrics, summary, checkpoints, predictions: B's
    expect(fa).toMatchObject({ status: 'completed', name: 'renamed here', notes: 'edited here' });
    expect((await must(a.svc.call('runs.get', { id }))).epochsDone).toBe(6);
    expect(count(a.db, 'runs')).toBe(1);
    // Bringing the older copy back again changes nothing.
    expect((await must(a.svc.call('runs.importBundle', { path: out }))).skipped).toHaveLength(1);
    expect((await must(a.svc.call('runs.get', { id }))).epochsDone).toBe(6);
    await close(a, b);
  });

  it('imports a --no-data bundle where the dataset (same sha256) is, and refuses it clearly where it is not', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const file = join(t.dir, 'nodata.rnnwb');
    const made = await must(a.svc.call('runs.bundle', { ids, outPath: file, data: false }));
    expect(made.withData).toBe(false);
    expect(
      Object.keys(unzipSync(readFileSync(file))).some((k) => k.startsWith('datasets/') && k.endsWith('.bin')),
    ).toBe(false);
    const withDs = fresh();
    const dsHere = seedDataset(withDs.db);
    const got = await must(withDs.svc.call('runs.importBundle', { path: file }));
    expect(got).toMatchObject({ datasetsAdded: 0, datasetsReused: 1 });
    expect(got.added.map((r) => runsDb.getRun(withDs.db, r.id)!.dataset_id)).toEqual([
      dsHere,
      dsHere,
      dsHere,
      dsHere,
      dsHere,
    ]);
    const empty = fresh();
    const r = await empty.svc.call('runs.importBundle', { path: file });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', field: 'dataset' } });
    if (!r.ok)
      expect(r.error.message).toMatch(
        new RegExp(
          `^${file} was made without data \\(--no-data\\) and this database has no dataset "sine" \\(sine\\.csv, sha256 [0-9a-f]{12}…, 3 columns\\): import that CSV here first`,
        ),
      );
    expect(count(empty.db, 'runs')).toBe(0);
    await close(a, withDs, empty);
  });

  it('takes no ids, process state or unknown column names from a bundle, whatever it says', async () => {
    const a = fresh();
    const ids = seedFive(a.db);
    const file = join(t.dir, 'crafted.rnnwb');
    await must(a.svc.call('runs.bundle', { ids: ids.slice(0, 1), outPath: file }));
    const entries = unzipSync(readFileSync(file));
    const name = `runs/${uuidOf(a.db, ids[0]!)}.json`;
    const body = JSON.parse(strFromU8(entries[name]!)) as {
      run: Record<string, unknown>;
      tables: { params: { columns: string[]; rows: unknown[][] } };
    };
    Object.assign(body.run, { id: 999, worker_pid: 4242, status: 'running', 'x; DROP TABLE runs; --': 1 });
    body.tables.params.columns.push('run_id', 'evil) VALUES (1); DROP TABLE runs; --');
    for (const r of body.tables.params.rows) r.push(555, 1);
    entries[name] = strToU8(JSON.stringify(body));
    const manifest = JSON.parse(strFromU8(entries['manifest.json']!)) as { checksums: Record<string, string> };
    manifest.checksums[name] = sha256Hex(entries[name]);
    entries['manifest.json'] = strToU8(JSON.stringify(manifest));
    writeFileSync(file, zipSync(entries));
    const b = fresh();
    const got = await must(b.svc.call('runs.importBundle', { path: file }));
    const run = runsDb.getRun(b.db, got.added[0]!.id)!;
    expect(run).toMatchObject({ id: 1, worker_pid: null, status: 'interrupted' });
    expect(count(b.db, 'params')).toBe(2);
    expect(b.db.prepare(`SELECT DISTINCT run_id FROM params`).all()).toEqual([{ run_id: 1 }]);
    await close(a, b);
  });

  it('refuses to bundle a run that is training, or to overwrite a file unless forced', async () => {
    const a = fresh();
    const ds = seedDataset(a.db);
    const busy = runsDb.insertRun(a.db, { name: 'busy', datasetId: ds, spec: '{}', seed: 1, params: {} });
    const r = await a.svc.call('runs.bundle', { ids: [busy], outPath: join(t.dir, 'busy.rnnwb') });
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict', field: 'ids' } });
    const done = seedRun(a.db, ds, { weights: 10 });
    const file = join(t.dir, 'twice.rnnwb');
    await must(a.svc.call('runs.bundle', { ids: [done], outPath: file }));
    expect(await a.svc.call('runs.bundle', { ids: [done], outPath: file })).toMatchObject({
      ok: false,
      error: { code: 'conflict', field: 'outPath' },
    });
    expect(await a.svc.call('runs.bundle', { ids: [done], outPath: file, force: true })).toMatchObject({ ok: true });
    await close(a);
  });
});
