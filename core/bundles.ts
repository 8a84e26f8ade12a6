// Runs to a bundle and a bundle back to runs (issue 13). The rows come from and go to db/bundles.ts;
// the zip, manifest and checksums are bundle-archive.ts. Entry layout:
//   manifest.json                       format/app/schema versions, runs, datasets, checksums
//   runs/<uuid>.json                    the run row, tags, params, metrics, summary, checkpoints,
//                                       predictions, exports (BLOBs as references)
//   runs/<uuid>/<table>.<row>.<col>.bin each BLOB (weights, optimizer state, predictions)
//   datasets/<sha256>.json              the dataset row and its column rows (manifest)
//   datasets/<sha256>/<column>.bin      each column's data (absent with --no-data)
import { strFromU8, strToU8 } from 'fflate';
import { ServiceError } from './contract.js';
import {
  BlobSink,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  decodeCell,
  type BundleManifest,
  type OpenedBundle,
} from './bundle-archive.js';
import { APP_VERSION } from './version.js';
import {
  RUN_TABLES,
  readDatasetExtract,
  readRunExtract,
  type Cell,
  type DatasetExtract,
  type ImportInput,
  type Row,
  type RunExtract,
  type Table,
} from '../db/bundles.js';
import type { DB } from '../db/open.js';
import { SCHEMA_VERSION } from '../db/open.js';

export interface BuiltBundle {
  manifest: Omit<BundleManifest, 'checksums'>;
  entries: Map<string, Uint8Array>;
}

function encodeRow(row: Row, sink: BlobSink, name: string) {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, sink.encode(v, `${name}.${k}`)]));
}

function encodeTable(t: Table, sink: BlobSink, name: string) {
  return {
    columns: t.columns,
    rows: t.rows.map((r, i) => r.map((v, j) => sink.encode(v, `${name}.${i}.${t.columns[j]}`))),
  };
}

function runEntry(r: RunExtract, entries: Map<string, Uint8Array>): void {
  const sink = new BlobSink(`runs/${r.uuid}/`);
  const body = {
    uuid: r.uuid,
    sourceId: r.sourceId,
    datasetSha256: r.datasetSha256,
    parentUuid: r.parentUuid,
    epochs: r.epochs,
    run: encodeRow(r.run, sink, 'run'),
    tables: Object.fromEntries(RUN_TABLES.map((t) => [t, encodeTable(r.tables[t], sink, t)])),
  };
  entries.set(`runs/${r.uuid}.json`, strToU8(JSON.stringify(body)));
  for (const [k, v] of sink.entries) entries.set(k, v);
}

function datasetEntry(d: DatasetExtract, entries: Map<string, Uint8Array>): void {
  const sink = new BlobSink(`datasets/${d.sha256}/`);
  const body = {
    sha256: d.sha256,
    row: encodeRow(d.row, sink, 'dataset'),
    columns: encodeTable(d.columns, sink, 'column'),
  };
  entries.set(`datasets/${d.sha256}.json`, strToU8(JSON.stringify(body)));
  for (const [k, v] of sink.entries) entries.set(k, v);
}

const ACTIVE = new Set(['queued', 'running']);

/** Reads the runs (and their datasets) into bundle entries; refuses a missing or training run. */
export function buildBundle(db: DB, ids: number[], withData: boolean): BuiltBundle {
  const entries = new Map<string, Uint8Array>();
  const runs: BundleManifest['runs'] = [];
  const datasets = new Map<number, BundleManifest['datasets'][number]>();
  for (const id of [...new Set(ids)]) {
    const r = readRunExtract(db, id);
    if (!r) throw new ServiceError('not_found', `run ${id} does not exist`, 'ids');
    const status = String(r.run.status);
    if (ACTIVE.has(status))
      throw new ServiceError(
        'conflict',
        `run ${id} is ${status}: its checkpoints are still being written; stop it (or wait for it) before bundling`,
        'ids',
      );
    runs.push({
      uuid: r.uuid,
      name: String(r.run.name),
      sourceId: id,
      status,
      epochs: r.epochs,
      datasetSha256: r.datasetSha256,
    });
    runEntry(r, entries);
    if (r.datasetId === null || datasets.has(r.datasetId)) continue;
    const d = readDatasetExtract(db, r.datasetId, withData);
    if (!d) continue;
    datasetEntry(d, entries);
    const col = (name: string) => d.columns.columns.indexOf(name);
    datasets.set(r.datasetId, {
      sha256: d.sha256,
      name: String(d.row.name),
      sourceName: String(d.row.source_name),
      rowCount: Number(d.row.row_count),
      columns: d.columns.rows.map((c) => ({ name: String(c[col('name')]), kind: String(c[col('kind')]) })),
      data: withData,
    });
  }
  const manifest: BuiltBundle['manifest'] = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    appVersion: APP_VERSION,
    schemaVersion: SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    withData,
    runs,
    datasets: [...datasets.values()],
  };
  return { manifest, entries };
}

// ---------------------------------------------------------------------------------------------
// Back to rows

function json(opened: OpenedBundle, file: string, name: string): Record<string, unknown> {
  const data = opened.entries[name];
  if (!data) throw new ServiceError('bad_input', `${file}: entry "${name}" is missing; nothing was imported`, 'path');
  try {
    return JSON.parse(strFromU8(data)) as Record<string, unknown>;
  } catch (e) {
    throw new ServiceError(
      'bad_input',
      `${file}: entry "${name}" is not valid JSON (${(e as Error).message}); nothing was imported`,
      'path',
    );
  }
}

function decodeRow(v: unknown, opened: OpenedBundle, where: string): Row {
  return Object.fromEntries(
    Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [k, decodeCell(x, opened.entries, where)]),
  );
}

function decodeTable(v: unknown, opened: OpenedBundle, where: string): Table {
  const t = (v ?? { columns: [], rows: [] }) as { columns: string[]; rows: unknown[][] };
  if (!Array.isArray(t.columns) || !Array.isArray(t.rows))
    throw new ServiceError('bad_input', `${where}: a table is malformed; nothing was imported`, 'path');
  return {
    columns: t.columns.map(String),
    rows: t.rows.map((r) => r.map((x): Cell => decodeCell(x, opened.entries, where))),
  };
}

/** The rows an import stores, read from a checked bundle. */
export function bundleInput(opened: OpenedBundle, file: string): ImportInput {
  const runs = opened.manifest.runs.map((m): RunExtract => {
    const name = `runs/${m.uuid}.json`;
    const where = `${file}: entry "${name}"`;
    const body = json(opened, file, name);
    const tables = (body.tables ?? {}) as Record<string, unknown>;
    return {
      uuid: m.uuid,
      sourceId: m.sourceId,
      datasetId: null,
      datasetSha256: m.datasetSha256,
      parentUuid: typeof body.parentUuid === 'string' ? body.parentUuid : null,
      epochs: m.epochs,
      run: decodeRow(body.run, opened, where),
      tables: Object.fromEntries(
        RUN_TABLES.map((t) => [t, decodeTable(tables[t], opened, where)]),
      ) as RunExtract['tables'],
    };
  });
  const datasets = opened.manifest.datasets.map((m): DatasetExtract => {
    const name = `datasets/${m.sha256}.json`;
    const body = json(opened, file, name);
    return {
      sha256: m.sha256,
      row: decodeRow(body.row, opened, `${file}: entry "${name}"`),
      columns: decodeTable(body.columns, opened, `${file}: entry "${name}"`),
    };
  });
  return { runs, datasets };
}
