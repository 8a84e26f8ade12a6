// Run bundles (issue 13): what a bundle carries out of one database and stores into another. Rows
// are copied generically (`SELECT *` out; in, the columns both schemas have), so a column another
// migration adds (predictions.ets, ...) travels without this file knowing it. Ids are this file's
// own: a run is named by its uuid, a dataset by its sha256, a parent run by its uuid. Plain
// records only (db/ imports nothing of ours); core/bundle*.ts turns them into zip entries.
import { randomUUID } from 'node:crypto';
import type { DB } from './open.js';

/** A SQLite value as better-sqlite3 returns it. */
export type Cell = string | number | bigint | null | Buffer;
export type Row = Record<string, Cell>;
/** Rows of one table, columnar (the column names once, then one array per row). */
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** The tables that hang off a run, each copied whole. */
export const RUN_TABLES = [
  'run_tags',
  'params',
  'metrics',
  'run_summary',
  'checkpoints',
  'predictions',
  'exports',
  'run_members',
] as const;
export type RunTable = (typeof RUN_TABLES)[number];

/** Columns that name this database's rows or processes (a backtest's fold, a study's trial too): never carried, rebuilt on import. */
const LOCAL_RUN_COLUMNS = new Set([
  'id',
  'dataset_id',
  'parent_id',
  'worker_pid',
  'heartbeat',
  'worker_started',
  'wait_reason',
  'backtest_id',
  'fold',
  'study_id',
  'trial',
]);
const LOCAL_CHILD_COLUMNS = new Set(['id', 'run_id']);

export interface RunExtract {
  uuid: string;
  /** The run's id in the database it came from (shown, never reused). */
  sourceId: number;
  datasetId: number | null;
  /** The run's dataset by content; null when the dataset was deleted. */
  datasetSha256: string | null;
  parentUuid: string | null;
  /** Epochs completed (the highest epoch with a train loss), the rule for re-imports. */
  epochs: number;
  run: Row;
  tables: Record<RunTable, Table>;
}

export interface DatasetExtract {
  sha256: string;
  row: Row;
  /** The column rows; `data` only when the bundle carries the data. */
  columns: Table;
}

function toTable(rows: Row[], drop: ReadonlySet<string>): Table {
  const first = rows[0];
  const columns = first ? Object.keys(first).filter((c) => !drop.has(c)) : [];
  return { columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) };
}

function without(row: Row, drop: ReadonlySet<string>): Row {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !drop.has(k)));
}

function epochsOf(db: DB, runId: number): number {
  const r = db.prepare(`SELECT MAX(epoch) AS e FROM metrics WHERE run_id = ? AND key = 'loss'`).get(runId) as {
    e: number | null;
  };
  return r.e ?? 0;
}

/** One run with everything hanging off it; undefined when there is no such run. */
export function readRunExtract(db: DB, id: number): RunExtract | undefined {
  const run = db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as Row | undefined;
  if (!run) return undefined;
  const ds =
    run.dataset_id == null
      ? undefined
      : (db.prepare(`SELECT sha256 FROM datasets WHERE id = ?`).get(run.dataset_id) as { sha256: string } | undefined);
  const parent =
    run.parent_id == null
      ? undefined
      : (db.prepare(`SELECT uuid FROM runs WHERE id = ?`).get(run.parent_id) as { uuid: string } | undefined);
  const order: Record<RunTable, string> = {
    run_tags: 'tag',
    params: 'key',
    metrics: 'rowid',
    run_summary: 'key',
    checkpoints: 'kind',
    predictions: 'split',
    exports: 'id',
    run_members: 'member',
  };
  const tables = Object.fromEntries(
    RUN_TABLES.map((t) => [
      t,
      toTable(
        db.prepare(`SELECT * FROM ${t} WHERE run_id = ? ORDER BY ${order[t]}`).all(id) as Row[],
        LOCAL_CHILD_COLUMNS,
      ),
    ]),
  ) as Record<RunTable, Table>;
  return {
    uuid: String(run.uuid),
    sourceId: id,
    datasetId: run.dataset_id == null ? null : Number(run.dataset_id),
    datasetSha256: ds?.sha256 ?? null,
    parentUuid: parent?.uuid ?? null,
    epochs: epochsOf(db, id),
    run: without(run, LOCAL_RUN_COLUMNS),
    tables,
  };
}

/** A dataset's row and its column rows, with the column data or without (only the manifest). */
export function readDatasetExtract(db: DB, id: number, withData: boolean): DatasetExtract | undefined {
  const row = db.prepare(`SELECT * FROM datasets WHERE id = ?`).get(id) as Row | undefined;
  if (!row) return undefined;
  const cols = db.prepare(`SELECT * FROM dataset_columns WHERE dataset_id = ? ORDER BY idx`).all(id) as Row[];
  const drop = new Set(['dataset_id', ...(withData ? [] : ['data'])]);
  return { sha256: String(row.sha256), row: without(row, new Set(['id'])), columns: toTable(cols, drop) };
}

// ---------------------------------------------------------------------------------------------
// Import

export interface ImportInput {
  datasets: DatasetExtract[];
  runs: RunExtract[];
}

export interface ImportedRun {
  uuid: string;
  id: number;
  name: string;
}

export interface ImportOutcome {
  added: ImportedRun[];
  /** Runs already here (same uuid) that the bundle holds more epochs of: their results replaced. */
  updated: ImportedRun[];
  /** Runs already here with as many epochs or more: left as they are. */
  skipped: (ImportedRun & { reason: string })[];
  datasetsAdded: number;
  datasetsReused: number;
}

/** Refusals an import raises; `code` and `field` are the contract's (core/errors.ts reads them). */
export class BundleImportError extends Error {
  constructor(
    message: string,
    readonly code: 'bad_input' | 'conflict' | 'not_found',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'BundleImportError';
  }
}

function targetColumns(db: DB, table: string, cache: Map<string, Set<string>>): Set<string> {
  let cols = cache.get(table);
  if (!cols) {
    cols = new Set(
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name),
    );
    cache.set(table, cols);
  }
  return cols;
}

/**
 * Columns an import never takes from a bundle, whatever it says: this database's ids and process
 * state. (Column names are only ever ones this schema has, so none reaches SQL unchecked.)
 */
const NEVER_IMPORTED: Record<string, ReadonlySet<string>> = {
  runs: LOCAL_RUN_COLUMNS,
  datasets: new Set(['id']),
  dataset_columns: new Set(['dataset_id']),
};
const importable = (db: DB, table: string, cache: Map<string, Set<string>>) => {
  const have = targetColumns(db, table, cache);
  const never = NEVER_IMPORTED[table] ?? LOCAL_CHILD_COLUMNS;
  return (c: string) => have.has(c) && !never.has(c);
};

/** Inserts `row` into `table`, keeping the columns this schema has; returns the new rowid. */
function insertRow(db: DB, table: string, row: Row, cache: Map<string, Set<string>>, extra: Row = {}): number {
  const ok = importable(db, table, cache);
  row = { ...Object.fromEntries(Object.entries(row).filter(([c]) => ok(c))), ...extra };
  const cols = Object.keys(row);
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  return Number(db.prepare(sql).run(...cols.map((c) => row[c] ?? null)).lastInsertRowid);
}

function insertTable(db: DB, table: string, t: Table, extra: Row, cache: Map<string, Set<string>>): void {
  const ok = importable(db, table, cache);
  const keep = t.columns.map((c, i) => [c, i] as const).filter(([c]) => ok(c) && !(c in extra));
  const cols = [...keep.map(([c]) => c), ...Object.keys(extra)];
  const stmt = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  const tail = Object.values(extra);
  for (const r of t.rows) stmt.run(...keep.map(([, i]) => r[i] ?? null), ...tail);
}

/** The column names and kinds of a dataset, as `name:kind` in order: what must match for reuse. */
function columnManifest(t: Table): string[] {
  const n = t.columns.indexOf('name');
  const k = t.columns.indexOf('kind');
  return t.rows.map((r) => `${String(r[n])}:${String(r[k])}`);
}

/** The id of a dataset here with this sha256 and the same columns, else of a new copy (data needed). */
function resolveDataset(
  db: DB,
  ds: DatasetExtract,
  cache: Map<string, Set<string>>,
  outcome: ImportOutcome,
  bundleName: string,
): number {
  const want = columnManifest(ds.columns).join('|');
  const candidates = db.prepare(`SELECT id FROM datasets WHERE sha256 = ? ORDER BY id`).all(ds.sha256) as {
    id: number;
  }[];
  for (const c of candidates) {
    const here = db.prepare(`SELECT name, kind FROM dataset_columns WHERE dataset_id = ? ORDER BY idx`).all(c.id) as {
      name: string;
      kind: string;
    }[];
    if (here.map((h) => `${h.name}:${h.kind}`).join('|') === want) {
      outcome.datasetsReused++;
      return c.id;
    }
  }
  if (!ds.columns.columns.includes('data')) {
    const what = `dataset "${String(ds.row.name)}" (${String(ds.row.source_name)}, sha256 ${ds.sha256.slice(0, 12)}…, ${ds.columns.rows.length} columns)`;
    throw new BundleImportError(
      `${bundleName} was made without data (--no-data) and this database has no ${what}${candidates.length ? ' with the same columns' : ''}: import that CSV here first, or ask for a bundle with its data`,
      'not_found',
      'dataset',
    );
  }
  const id = insertRow(db, 'datasets', ds.row, cache);
  insertTable(db, 'dataset_columns', ds.columns, { dataset_id: id }, cache);
  outcome.datasetsAdded++;
  return id;
}

/** Replaces what training produced for an existing run (a run resumed elsewhere and brought back). */
function replaceResults(db: DB, id: number, r: RunExtract, cache: Map<string, Set<string>>): void {
  const ok = importable(db, 'runs', cache);
  // What the user edits here (name, notes, tags) stays; what training wrote is the bundle's.
  const keepLocal = new Set(['uuid', 'name', 'notes', 'created_at']);
  const row: Row = { ...r.run, status: importedStatus(r) };
  const cols = Object.keys(row).filter((c) => ok(c) && !keepLocal.has(c));
  db.prepare(`UPDATE runs SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(
    ...cols.map((c) => row[c] ?? null),
    id,
  );
  for (const t of ['params', 'metrics', 'run_summary', 'checkpoints', 'predictions', 'run_members'] as const) {
    db.prepare(`DELETE FROM ${t} WHERE run_id = ?`).run(id);
    insertTable(db, t, r.tables[t], { run_id: id }, cache);
  }
  // Exports recorded here and there are both kept, each once.
  const seen = new Set(
    (db.prepare(`SELECT checkpoint, path, created_at FROM exports WHERE run_id = ?`).all(id) as Row[]).map(
      (e) => `${String(e.checkpoint)}\0${String(e.path)}\0${String(e.created_at)}`,
    ),
  );
  const c = r.tables.exports.columns;
  const fresh = r.tables.exports.rows.filter(
    (e) => !seen.has(['checkpoint', 'path', 'created_at'].map((k) => String(e[c.indexOf(k)])).join('\0')),
  );
  insertTable(db, 'exports', { columns: c, rows: fresh }, { run_id: id }, cache);
}

/** A bundle is made of runs no trainer owns; one that says otherwise arrives interrupted (resumable). */
function importedStatus(r: RunExtract): Cell {
  return r.run.status === 'queued' || r.run.status === 'running' ? 'interrupted' : (r.run.status ?? 'interrupted');
}

function insertRun(db: DB, r: RunExtract, datasetId: number | null, cache: Map<string, Set<string>>): number {
  const id = insertRow(db, 'runs', r.run, cache, {
    uuid: r.uuid || randomUUID(),
    dataset_id: datasetId,
    parent_id: null,
    status: importedStatus(r),
  });
  for (const t of RUN_TABLES) insertTable(db, t, r.tables[t], { run_id: id }, cache);
  return id;
}

/**
 * Stores a bundle in ONE transaction (a refusal or a failure stores nothing). Datasets are reused
 * by sha256 and columns; a run whose uuid is here already is updated when the bundle holds more
 * epochs of it (and the run here is not training), else skipped; parent links follow the uuids.
 */
export function importBundle(db: DB, input: ImportInput, bundleName: string): ImportOutcome {
  const cache = new Map<string, Set<string>>();
  const outcome: ImportOutcome = { added: [], updated: [], skipped: [], datasetsAdded: 0, datasetsReused: 0 };
  return db
    .transaction(() => {
      const datasetIds = new Map<string, number>();
      const idOf = new Map<string, number>();
      for (const r of input.runs) {
        const here = db.prepare(`SELECT id, name, status FROM runs WHERE uuid = ?`).get(r.uuid) as
          { id: number; name: string; status: string } | undefined;
        if (!here) {
          // The dataset is looked up (or stored) only for a run that is new here: an update keeps its own.
          const ds = input.datasets.find((d) => d.sha256 === r.datasetSha256);
          if (ds && !datasetIds.has(ds.sha256))
            datasetIds.set(ds.sha256, resolveDataset(db, ds, cache, outcome, bundleName));
          const id = insertRun(db, r, ds ? datasetIds.get(ds.sha256)! : null, cache);
          idOf.set(r.uuid, id);
          outcome.added.push({ uuid: r.uuid, id, name: String(r.run.name) });
          continue;
        }
        idOf.set(r.uuid, here.id);
        const epochsHere = epochsOf(db, here.id);
        if (r.epochs <= epochsHere) {
          outcome.skipped.push({
            uuid: r.uuid,
            id: here.id,
            name: here.name,
            reason: `already here with ${epochsHere} epoch(s); the bundle has ${r.epochs}`,
          });
          continue;
        }
        if (here.status === 'queued' || here.status === 'running') {
          throw new BundleImportError(
            `${bundleName}: run ${here.id} "${here.name}" (uuid ${r.uuid}) is ${here.status} here; stop it before bringing back its ${r.epochs}-epoch copy`,
            'conflict',
            'runs',
          );
        }
        replaceResults(db, here.id, r, cache);
        outcome.updated.push({ uuid: r.uuid, id: here.id, name: here.name });
      }
      linkParents(db, input.runs, idOf, outcome);
      return outcome;
    })
    .immediate();
}

/** Parent links by uuid: to a run of the bundle or one already here; none when neither has it. */
function linkParents(db: DB, runs: RunExtract[], idOf: Map<string, number>, outcome: ImportOutcome): void {
  const added = new Set(outcome.added.map((a) => a.uuid));
  const byUuid = db.prepare(`SELECT id FROM runs WHERE uuid = ?`);
  const set = db.prepare(`UPDATE runs SET parent_id = ? WHERE id = ?`);
  for (const r of runs) {
    if (!r.parentUuid || !added.has(r.uuid)) continue;
    const parent = idOf.get(r.parentUuid) ?? (byUuid.get(r.parentUuid) as { id: number } | undefined)?.id;
    if (parent !== undefined) set.run(parent, idOf.get(r.uuid)!);
  }
}
