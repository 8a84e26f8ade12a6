// Bundles the two entries that start at every `train` after tsc (npm run build:ts): the worker
// process (dist/worker/main.js) and the CLI (dist/core/cli.js), each with everything it imports
// from dist/ and zod. Node 20's ESM loader resolves, reads and compiles every module on its own:
// a trainer's ~200 modules (ours and zod's) cost it about 170 ms of CPU at every start and the
// CLI's about 100 ms, before the first batch, which the bundles save (issue 15 item 4;
// docs/benchmarks.md, start-up). tsc's output is what gets bundled, so the code is the tested one.
// - The entry is rewritten in place; what it imports lazily (the trainer, the import, the server)
//   becomes chunk-*.js files beside it, shared code in shared chunks: one module instance each.
// - Packages stay outside (TF.js, better-sqlite3, webgpu, ws...: native or CommonJS, loaded from
//   node_modules as before); only zod, pure ESM in ~100 files, is inlined.
// - A module that finds its files from import.meta.url (db/open.ts's migrations, core/jobs.ts's
//   worker entry, createRequire) gets its own file's URL back, relative to the chunk's folder:
//   every output file lies beside its entry, so the URLs resolve as from the unbundled file.
// - `keep`: modules that stay separate files, with every dist/ module they import, for module
//   instances shared with a caller outside the bundle (bin/rnn-workbench.js forks the early
//   trainer before it loads the CLI, which then takes that trainer from the same module).
// A later tsc alone rewrites the entries unbundled, which run as before (old chunks go unused).
// `node build/bundle-entries.mjs [distDir]` (default dist; the tests bundle a folder of their own).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');

const ENTRIES = [
  { entry: 'worker/main.js', keep: [] },
  { entry: 'core/cli.js', keep: ['core/cli/early-trainer.js'] },
];

const posix = (p) => p.split(sep).join('/');

/** Each module's import.meta.url becomes its unbundled file's URL, relative to the entry's folder. */
const ownUrl = (outdir) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (args.path.startsWith(dist + sep) && contents.includes('import.meta.url')) {
        const rel = posix(relative(outdir, args.path));
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
});

/** Every package but zod stays an import of node_modules; `keep` files stay imports of themselves. */
const outside = (outdir, keep) => ({
  name: 'outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      /^zod(\/|$)/.test(args.path) ? undefined : { path: args.path, external: true },
    );
    b.onResolve({ filter: /^\./ }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      if (!keep.includes(file)) return undefined;
      return { path: `./${posix(relative(outdir, file))}`, external: true };
    });
  },
});

/** The `keep` modules and every dist/ module they import, statically, as absolute paths. */
async function closure(keep) {
  if (keep.length === 0) return [];
  const r = await build({
    entryPoints: keep,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: join(dist, '.keep'),
    plugins: [outside('', [])],
    logLevel: 'warning',
  });
  return Object.keys(r.metafile.inputs)
    .map((f) => resolve(f))
    .filter((f) => f.startsWith(dist + sep));
}

for (const { entry, keep } of ENTRIES) {
  const file = join(dist, entry);
  if (!existsSync(file)) continue; // a partial dist (the tests')
  const outdir = dirname(file);
  const kept = await closure(keep.map((k) => join(dist, k)));
  // The chunks of an earlier bundle: their names change with their content.
  for (const f of await readdir(outdir)) if (/^chunk-.*\.js(\.map)?$/.test(f)) await rm(join(outdir, f));
  await build({
    entryPoints: { [entry.slice(entry.lastIndexOf('/') + 1, -3)]: file },
    outdir,
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunk-[name]-[hash]',
    plugins: [ownUrl(outdir), outside(outdir, kept)],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
