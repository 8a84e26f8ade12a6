// Bundles the sandboxed preload into one CommonJS file. A sandboxed preload may require only
// `electron` (and a few Node shims), never relative files, so everything it imports from
// electron/ and core/ (zod included) is inlined here.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
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
