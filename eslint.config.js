// Lint: typescript-eslint's recommended rules over our TypeScript; generated and built files out.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '.*/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'worker/kernels/*.gen.ts',
      'renderer/**/*.svelte',
      'test-artifacts/**',
      '.gl/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The house rules of issue 9: short functions where the hosts, the service and the trainer live;
  // no source file over 400 lines (generated files and the kernel C source are outside eslint).
  {
    files: ['core/**/*.ts', 'worker/train/**/*.ts', 'electron/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['core/**/*.ts', 'db/**/*.ts', 'worker/**/*.ts', 'electron/**/*.ts', 'renderer/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }] },
  },
  // TF.js reaches the worker through worker/tf.ts (require): an ESM import of its CommonJS bundles
  // costs every trainer 300–450 ms of CPU in Node's export-name lexer. Type imports load nothing.
  {
    files: ['worker/**/*.ts'],
    ignores: ['worker/tf.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/tfjs', '@tensorflow/tfjs-*'],
              allowTypeImports: true,
              message: 'load TF.js through worker/tf.ts (require() skips the ESM lexer: 300+ ms at start)',
            },
          ],
        },
      ],
    },
  },
  // Stand-ins for electron and TF.js internals in tests are loosely typed on purpose.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
