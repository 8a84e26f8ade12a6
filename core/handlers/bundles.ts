// runs.bundle and runs.importBundle (issue 13, docs/bundles.md). Both run in the host: reading
// 100 runs with checkpoints, zipping and writing takes well under a second here (test/bench/
// bundles.ts), less than starting a worker process would cost; the SQLite work is one read pass
// for a bundle and ONE transaction for an import.
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ServiceError } from '../contract.js';
import { readArchive, writeArchive } from '../bundle-archive.js';
import { buildBundle, bundleInput } from '../bundles.js';
import { importBundle } from '../../db/bundles.js';
import { listDatasetIds } from '../../db/datasets.js';
import { getRun } from '../../db/runs.js';
import { SCHEMA_VERSION } from '../../db/open.js';
import type { Handlers, ServiceContext } from './context.js';

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

export function bundleHandlers({ db, emit }: ServiceContext): Handlers<'runs.bundle' | 'runs.importBundle'> {
  return {
    'runs.bundle': async ({ ids, outPath, data, force }) => {
      const built = buildBundle(db, ids, data);
      const bytes = writeArchive(built.manifest, built.entries);
      await writeWhole(outPath, bytes, force ?? false);
      return {
        path: outPath,
        bytes: bytes.length,
        runs: built.manifest.runs.length,
        datasets: built.manifest.datasets.length,
        withData: data,
      };
    },
    'runs.importBundle': async ({ path, expectedBytes }) => {
      const opened = readArchive(path, await readWhole(path, expectedBytes), SCHEMA_VERSION);
      const outcome = importBundle(db, bundleInput(opened, path), path);
      // Every window refreshes its runs table on run:status.
      for (const r of [...outcome.added, ...outcome.updated]) {
        const run = getRun(db, r.id);
        if (run) emit('run:status', { runId: r.id, status: run.status });
      }
      if (outcome.datasetsAdded > 0)
        for (const id of listDatasetIds(db).slice(0, outcome.datasetsAdded)) emit('datasets:changed', { id });
      return { file: path, ...outcome };
    },
  };
}
