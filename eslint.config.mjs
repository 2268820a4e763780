// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Type-aware typescript-eslint over the TypeScript of the repository; formatting is Prettier's (npm run format). */
export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'node_modules/**',
      '.candlekeep/**',
      'bench/.data/**',
      'test/fixtures/**',
      'coverage/**',
      'reports/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A `default:` that handles the rest on purpose counts as exhaustive.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Re-raising what was caught (unknown) as a rejection is fine; inventing a non-Error reason is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An `async` implementation of a Promise-returning port without an await is deliberate: what it throws
      // becomes a rejection, as callers of the port expect.
      '@typescript-eslint/require-await': 'off',
      // require() only where a module is loaded on first use, to keep start-up short (measured in
      // bench/startup.bench.ts): the per-verb CLI modules, the QuestDB client, the progress bars.
      '@typescript-eslint/no-require-imports': [
        'error',
        {
          allow: [
            '-cli\\.module$',
            '/cli\\.module$',
            '/cli-core\\.module$',
            '^@questdb/nodejs-client$',
            '/questdb-credentials$',
            '-progress-bar$',
          ],
        },
      ],
    },
  },
  {
    // Tests assert on parsed JSON (CLI output, HTTP bodies, rows): untyped by nature, checked by the assertion.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    // CommonJS scripts and configs: require() is how they import.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: { globals: globals.node },
  },
  prettier,
);
