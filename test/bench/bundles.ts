// Bundle benchmark (issue 13): 100 runs with best/last checkpoints (an LSTM(64)-sized model: 20,000
// f32 weights + Adam state each), 50 epochs of metrics, test predictions and a 10,000-row dataset
// are bundled from one database and imported into a second one through the service (each in a
// worker process, worker/export/bundle.ts), then every run is byte-compared (metrics, summary, checkpoints,
// predictions, tags, params, exports). Target: the round trip in under 10 s. While each call runs,
// a 5 ms timer measures how long the host's event loop is held at a time (Electron's main process
// is that loop: a long hold freezes every window): `bundleHostBlockMs` / `importHostBlockMs` are the
// longest gaps between ticks minus the period, `…HostBusyMs` the sum of the gaps over 50 ms.
// `--runs N` (default 100), `--weights N` (f32 per checkpoint, default 20000).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readArchive, writeArchive } from '../../core/bundle-archive.js';
import { buildBundle, bundleInput } from '../../core/bundles.js';
import { createService } from '../../core/service.js';
import { importBundle } from '../../db/bundles.js';
import { openDb, SCHEMA_VERSION } from '../../db/open.js';
import { dumpRun, seedDataset, seedRun, uuidOf } from '../bundle-fixture.js';
import { tempDir } from '../helpers.js';
import type { BenchOptions } from './run.js';

const flag = (args: string[], name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

const secs = (t0: number) => (performance.now() - t0) / 1000;

/** Runs `f` while a 5 ms timer watches the event loop: the longest hold and the total of holds over 50 ms. */
async function watchLoop<T>(f: () => Promise<T>): Promise<{ value: T; maxMs: number; busyMs: number }> {
  const PERIOD = 5;
  let last = performance.now();
  let maxMs = 0;
  let busyMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const held = now - last - PERIOD;
    maxMs = Math.max(maxMs, held);
    if (held > 50) busyMs += held;
    last = now;
  }, PERIOD);
  try {
    const value = await f();
    const held = performance.now() - last - PERIOD; // a hold at the very end
    maxMs = Math.max(maxMs, held);
    if (held > 50) busyMs += held;
    return { value, maxMs, busyMs };
  } finally {
    clearInterval(timer);
  }
}

export async function run(opts: BenchOptions): Promise<void> {
  const runs = flag(opts.args, '--runs', 100);
  const weights = flag(opts.args, '--weights', 20_000);
  const t = tempDir('rnnwb-bench-bundles-');
  try {
    const a = join(t.dir, 'a.db');
    const b = join(t.dir, 'b.db');
    const seedDb = openDb(a);
    const ds = seedDataset(seedDb, 10_000);
    const ids = Array.from({ length: runs }, (_, i) => seedRun(seedDb, ds, { seed: i + 1, epochs: 50, weights }));
    seedDb.close();
    const file = join(t.dir, 'bench.rnnwb');
    const svcA = createService({ dbPath: a });
    const svcB = createService({ dbPath: b });
    let t0 = performance.now();
    const bundling = await watchLoop(() => svcA.call('runs.bundle', { ids, outPath: file }));
    const made = bundling.value;
    const bundleSeconds = secs(t0);
    if (!made.ok) throw new Error(made.error.message);
    t0 = performance.now();
    const importing = await watchLoop(() => svcB.call('runs.importBundle', { path: file }));
    const got = importing.value;
    const importSeconds = secs(t0);
    if (!got.ok || got.value.added.length !== runs)
      throw new Error(got.ok ? `imported ${got.value.added.length} of ${runs}` : got.error.message);
    await svcA.close();
    await svcB.close();
    // Where the time goes: the same steps called one by one on fresh connections.
    const dbA = openDb(a);
    t0 = performance.now();
    const built = buildBundle(dbA, ids, true);
    const readSeconds = secs(t0);
    t0 = performance.now();
    const bytes = writeArchive(built.manifest, built.entries);
    const zipSeconds = secs(t0);
    t0 = performance.now();
    const opened = readArchive(file, bytes, SCHEMA_VERSION);
    const unzipSeconds = secs(t0);
    const dbC = openDb(join(t.dir, 'c.db'));
    t0 = performance.now();
    importBundle(dbC, bundleInput(opened, file), file);
    const storeSeconds = secs(t0);
    dbC.close();
    const dbB = openDb(b);
    t0 = performance.now();
    const differing = ids.filter(
      (id) => !isDeepStrictEqual(dumpRun(dbB, uuidOf(dbA, id)), dumpRun(dbA, uuidOf(dbA, id))),
    );
    const compareSeconds = secs(t0);
    dbA.close();
    dbB.close();
    const row = {
      suite: 'bundles',
      impl: 'fflate',
      runs,
      weightsPerCheckpoint: weights,
      bundleMB: +(statSync(file).size / 1e6).toFixed(1),
      bundleSeconds: +bundleSeconds.toFixed(2),
      importSeconds: +importSeconds.toFixed(2),
      roundTripSeconds: +(bundleSeconds + importSeconds).toFixed(2),
      bundleHostBlockMs: Math.round(bundling.maxMs),
      bundleHostBusyMs: Math.round(bundling.busyMs),
      importHostBlockMs: Math.round(importing.maxMs),
      importHostBusyMs: Math.round(importing.busyMs),
      readSeconds: +readSeconds.toFixed(2),
      zipSeconds: +zipSeconds.toFixed(2),
      unzipCheckSeconds: +unzipSeconds.toFixed(2),
      storeSeconds: +storeSeconds.toFixed(2),
      compareSeconds: +compareSeconds.toFixed(2),
      differingRuns: differing.length,
    };
    if (opts.json) console.log(JSON.stringify(row));
    else for (const [k, v] of Object.entries(row)) console.log(`${k.padEnd(22)} ${v}`);
    if (differing.length) throw new Error(`runs ${differing.join(', ')} differ after the round trip`);
  } finally {
    t.cleanup();
  }
}
