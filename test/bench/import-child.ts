// Child process of the import benchmark: one full import (parse + type inference + SQLite write
// into a fresh database), timed, then its own peak RSS. Prints one JSON line on stdout.
import { readFileSync } from 'node:fs';
import { openDb } from '../../db/open.js';
import { parseCsvFile } from '../../worker/import/parse.js';
import { storeDataset } from '../../worker/import/store.js';

async function main(): Promise<void> {
  const [csv, dbPath] = process.argv.slice(2);
  if (!csv || !dbPath) throw new Error('usage: import-child.ts <csv> <db>');
  const t0 = performance.now();
  const table = await parseCsvFile(csv);
  const t1 = performance.now();
  const db = openDb(dbPath);
  storeDataset(db, table, { name: 'bench' });
  db.close();
  const t2 = performance.now();
  // VmHWM is the kernel's own peak-RSS figure; resourceUsage().maxRSS (KiB) is the portable one.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const peakKiB = hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
  process.stdout.write(
    JSON.stringify({
      rows: table.rowCount,
      columns: table.columns.map((c) => c.kind),
      seconds: (t2 - t0) / 1000,
      parseSeconds: (t1 - t0) / 1000,
      storeSeconds: (t2 - t1) / 1000,
      peakRssMB: peakKiB / 1024,
    }) + '\n',
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
