// The heavy half of runs.bundle and runs.importBundle (issue 13, docs/bundles.md), run in a worker
// process like an import or export: reading the runs' rows and BLOBs, zipping, checksumming and
// writing the file; or reading, unzipping, checking and storing it in ONE transaction. In the host
// this held the event loop (Electron's main process: every window) about 2 s per 100 runs
// (test/bench/bundles.ts). The host keeps only what needs it: the events after an import.
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ServiceError, type BundleResult } from '../../core/contract.js';
import { readArchive, writeArchive } from '../../core/bundle-archive.js';
import { buildBundle, bundleInput } from '../../core/bundles.js';
import { importBundle, type ImportOutcome } from '../../db/bundles.js';
import { openDb, SCHEMA_VERSION } from '../../db/open.js';

/** Writes beside the target, then renames: nobody sees half a bundle. */
async function writeWhole(path: string, bytes: Uint8Array, force: boolean): Promise<void> {
  if (existsSync(path) && !force)
    throw new ServiceError(
      'conflict',
      `${path} exists already: choose another name, or replace it (--force)`,
      'outPath',
    );
  const partial = `${path}.partial-${process.pid}`;
  try {
    await writeFile(partial, bytes);
    await rename(partial, path);
  } catch (e) {
    await rm(partial, { force: true });
    throw new ServiceError('bad_input', `cannot write ${path}: ${(e as Error).message}`, 'outPath');
  }
}

async function readWhole(path: string, expectedBytes: number | undefined): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ServiceError(
      code === 'ENOENT' ? 'not_found' : 'bad_input',
      `cannot read ${path}: ${code ?? (e as Error).message}`,
      'path',
    );
  }
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) {
    throw new ServiceError(
      'bad_input',
      `${path} has ${bytes.length} bytes, ${expectedBytes} were uploaded; nothing was imported`,
      'path',
    );
  }
  return bytes;
}

export interface BundleJob {
  ids: number[];
  outPath: string;
  data: boolean;
  force: boolean;
}

/** runs.bundle: the runs (and their datasets) of the database at dbPath as one .rnnwb file. */
export async function bundleRuns(dbPath: string, job: BundleJob): Promise<BundleResult> {
  const db = openDb(dbPath);
  let bytes: Uint8Array;
  let built: ReturnType<typeof buildBundle>;
  try {
    built = buildBundle(db, job.ids, job.data);
    bytes = writeArchive(built.manifest, built.entries);
  } finally {
    db.close();
  }
  await writeWhole(job.outPath, bytes, job.force);
  return {
    path: job.outPath,
    bytes: bytes.length,
    runs: built.manifest.runs.length,
    datasets: built.manifest.datasets.length,
    withData: job.data,
  };
}

/** runs.importBundle: a checked bundle stored into the database at dbPath (one transaction). */
export async function importBundleFile(
  dbPath: string,
  path: string,
  expectedBytes: number | undefined,
): Promise<ImportOutcome> {
  const opened = readArchive(path, await readWhole(path, expectedBytes), SCHEMA_VERSION);
  const input = bundleInput(opened, path);
  const db = openDb(dbPath);
  try {
    return importBundle(db, input, path);
  } finally {
    db.close();
  }
}
