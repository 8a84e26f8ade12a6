// Component and chart-builder tests: jsdom + the Svelte compiler with browser exports. The root
// vitest.config.ts lists this file as a project so `npm test` runs them too.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  plugins: [svelte(), svelteTesting()],
  test: {
    name: 'renderer',
    include: ['test/renderer/**/*.test.ts'],
    environment: 'jsdom',
    testTimeout: 30_000,
  },
});
