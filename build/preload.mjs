// Bundles the sandboxed preload into one CommonJS file. A sandboxed preload may require only
// `electron` (and a few Node shims), never relative files, so everything it imports from
// electron/ and core/ (zod included) is inlined here.
import { build } from 'esbuild';

// `node build/preload.mjs [outfile]`: the tests bundle into a temp folder.
const outfile = process.argv[2] ?? 'dist/electron/preload.cjs';

await build({
  entryPoints: ['electron/preload.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome140',
  external: ['electron'],
  sourcemap: 'linked',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
