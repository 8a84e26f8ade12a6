// Bundles the worker process (dist/worker/main.js and everything it imports from dist/, zod
// included) into a few files, after tsc (npm run build:ts). Node 20's ESM loader resolves, reads
// and compiles every module on its own: a trainer's ~200 modules (ours and zod's) cost it about
// 130 ms of CPU at every start, before its first batch, which the bundle saves (issue 15 item 4;
// docs/benchmarks.md, start-up). tsc's output is what gets bundled, so the code is the tested one.
// - main.js is rewritten in place; what it imports lazily (the trainer, the import, the export)
//   becomes chunk-*.js files beside it, shared code in shared chunks: one module instance each.
// - Packages stay outside (TF.js, better-sqlite3, webgpu...: native or CommonJS, loaded from
//   node_modules as before); only zod, pure ESM in ~100 files, is inlined.
// - A module that finds its files from import.meta.url (db/open.ts's migrations, core/jobs.ts's
//   worker entry, createRequire) gets its own file's URL back, relative to the chunk's folder:
//   every output file lies in dist/worker/, so the URLs resolve as from the unbundled file.
// A later tsc alone rewrites main.js unbundled, which runs as before (the old chunks go unused).
// `node build/worker-bundle.mjs [distDir]` (default dist; the tests bundle a folder of their own).
import { build } from 'esbuild';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');
const outdir = join(dist, 'worker');

/** Each module's import.meta.url becomes its unbundled file's URL, relative to dist/worker/. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (args.path.startsWith(dist + sep) && contents.includes('import.meta.url')) {
        const rel = relative(outdir, args.path).split(sep).join('/');
        contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      }
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** Every package but zod stays an import of node_modules. */
const packagesButZod = {
  name: 'packages-but-zod',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      /^zod(\/|$)/.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

// The chunks of an earlier bundle: their names change with their content.
for (const f of await readdir(outdir)) if (/^chunk-.*\.js(\.map)?$/.test(f)) await rm(join(outdir, f));

await build({
  entryPoints: { main: join(outdir, 'main.js') },
  outdir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[name]-[hash]',
  plugins: [ownUrl, packagesButZod],
  sourcemap: 'linked',
  logLevel: 'warning',
});
