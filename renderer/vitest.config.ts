// Component and chart-builder tests: jsdom + the Svelte compiler with browser exports. The root
// vitest.config.ts lists this file as a project so `npm test` runs them too.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: repo,
  plugins: [svelte(), svelteTesting()],
  test: {
    name: 'renderer',
    // As a project of the root config, root becomes this folder; scan the repo's test/ anyway.
    dir: repo,
    include: ['test/renderer/**/*.test.ts'],
    environment: 'jsdom',
    testTimeout: 30_000,
  },
});
