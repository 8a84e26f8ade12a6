// Run bundles on the command line (issue 13, docs/bundles.md): `bundle <run...> --out f.rnnwb`
// writes runs with everything they hold into one file; `import-bundle f.rnnwb` stores them in
// this database (new runs added, runs trained further elsewhere updated, the rest skipped).
import { resolve } from 'node:path';
import type { ImportBundleResult } from '../contract.js';
import { must, runId } from './calls.js';
import { JSON_OPTION, UsageError, type Command } from './table.js';

export const bundleCommand: Command = {
  name: 'bundle',
  usage: '<run> [<run>...] --out <file.rnnwb> [--no-data] [--force] [--json]',
  summary: 'write runs (spec, metrics, checkpoints, predictions, notes, dataset) into one portable file',
  details:
    "The bundle holds the runs' dataset unless --no-data (then only its sha256 and columns: the database it is imported into must have that dataset).",
  options: {
    out: { type: 'string', value: '<file.rnnwb>', help: 'the bundle file to write (required)' },
    'no-data': { type: 'boolean', help: 'leave the dataset out (its sha256 and column names travel)' },
    force: { type: 'boolean', help: 'replace the file if it exists' },
    ...JSON_OPTION,
  },
  positionals: [1, Infinity],
  db: 'read',
  async run(ctx) {
    const out = ctx.string('out');
    if (!out) throw new UsageError('bundle needs --out <file.rnnwb>', bundleCommand);
    const ids = ctx.positionals.map(runId);
    const r = await must(ctx.svc, 'runs.bundle', {
      ids,
      outPath: resolve(out),
      data: !ctx.flag('no-data'),
      force: ctx.flag('force'),
    });
    console.log(
      ctx.flag('json')
        ? JSON.stringify(r)
        : `bundled ${r.runs} run(s) and ${r.datasets} dataset(s)${r.withData ? '' : ' (without data)'} into ${r.path} (${r.bytes.toLocaleString()} bytes)`,
    );
    return 0;
  },
};

function summary(r: ImportBundleResult): string {
  const lines = [
    ...r.added.map((a) => `added run ${a.id} "${a.name}"`),
    ...r.updated.map((a) => `updated run ${a.id} "${a.name}" (the bundle holds more epochs)`),
    ...r.skipped.map((a) => `skipped run ${a.id} "${a.name}": ${a.reason}`),
  ];
  const ds =
    r.datasetsAdded || r.datasetsReused ? `; datasets: ${r.datasetsAdded} added, ${r.datasetsReused} already here` : '';
  return [
    ...lines,
    `${r.file}: ${r.added.length} added, ${r.updated.length} updated, ${r.skipped.length} skipped${ds}`,
  ].join('\n');
}

export const importBundleCommand: Command = {
  name: 'import-bundle',
  usage: '<file.rnnwb> [--json]',
  summary: 'store the runs of a bundle in this database (ids mapped; no duplicates)',
  details: 'A run already here (same uuid) is updated when the bundle holds more epochs of it, else skipped.',
  options: { ...JSON_OPTION },
  positionals: [1, 1],
  db: 'create',
  async run(ctx) {
    const r = await must(ctx.svc, 'runs.importBundle', { path: resolve(ctx.positionals[0]!) });
    console.log(ctx.flag('json') ? JSON.stringify(r) : summary(r));
    return 0;
  },
};
