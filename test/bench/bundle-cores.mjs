// Bundles the cores bench (test/bench/cores-main.ts, rnn-cores.ts) into one file for a lent
// machine without the repository (gpu-device.sh): TF.js inside through bundled-tf.ts, the native
// engine's prebuild beside it (copied by the caller to <out dir>/prebuilds).
//   node test/bench/bundle-cores.mjs <out.mjs>
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const out = process.argv[2];
if (!out) throw new Error('usage: node test/bench/bundle-cores.mjs <out.mjs>');
const shim = fileURLToPath(new URL('./bundled-tf.ts', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('./cores-main.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: out,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [
    {
      name: 'bundled-tf',
      setup(b) {
        b.onResolve({ filter: /(^|\/)tf\.js$/ }, (a) => (a.importer.includes('/worker/') ? { path: shim } : undefined));
      },
    },
  ],
});
