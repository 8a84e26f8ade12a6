// Builds the renderer into dist/renderer. `base: './'` keeps asset URLs relative so the same
// build loads from the browser-mode server and from Electron's file:// or custom protocol.
// Delivery (issue 14): pages are split by App.svelte's dynamic imports, ECharts (most of the
// bytes, used by the chart pages only) is its own chunk, and every text asset gets brotli and
// gzip siblings (`.br`, `.gz`) that core/static-files.ts sends to browsers that accept them.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Writes `file.br` (quality 11) and `file.gz` (level 9) beside every text asset over 1 KB. */
function precompress(): Plugin {
  return {
    name: 'rnn-workbench-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      await Promise.all(
        Object.keys(bundle)
          .filter((name) => /\.(js|mjs|css|html|svg|json|wasm)$/.test(name))
          .map(async (name) => {
            const file = join(dir, name);
            const body = await readFile(file);
            if (body.length <= 1024) return;
            const [b, g] = await Promise.all([
              brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
              gz(body, { level: 9 }),
            ]);
            await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
          }),
      );
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [svelte(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // One chunk for ECharts and zrender, loaded with the first page that draws a chart.
        advancedChunks: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ }] },
      },
    },
  },
});
