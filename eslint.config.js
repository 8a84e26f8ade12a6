// Lint: typescript-eslint's recommended rules over our TypeScript; generated and built files out.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.*/**', 'dist/**', 'release/**', 'node_modules/**', 'worker/kernels/*.gen.ts', 'renderer/**/*.svelte', 'test-artifacts/**', '.gl/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Stand-ins for electron and TF.js internals in tests are loosely typed on purpose.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
