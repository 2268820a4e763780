// @ts-check
/**
 * Three projects (`npm run test:unit|test:int|test:e2e`; `npm test` runs all):
 * - unit: src/**\/*.spec.ts beside the code; no database, no global setup.
 * - int:  test/int/*.test.ts, in-process against a real PostgreSQL (and
 *         QuestDB when configured): repositories, stores, clients, commands run
 *         in-process through the CLI runner.
 * - e2e:  test/e2e/*.test.ts, the built CLI and server as processes (exit
 *         codes end to end, kill -9, signals, the server).
 * int and e2e get TEST_DATABASE_URL or an embedded PostgreSQL from
 * test/global-setup.ts.
 *
 * NestJS 12 and a few of its dependencies ship ESM only; jest runs CommonJS,
 * so @swc/jest also transpiles those packages (transformIgnorePatterns).
 */
const ESM_PACKAGES = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'ansis',
  'load-esm',
];

const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config} */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.(js|mjs)$': swc('ecmascript'),
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      roots: ['<rootDir>/test/int'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  testTimeout: 60_000,
  // Child processes and servers are closed by the tests; this only reports what they forgot.
  detectOpenHandles: false,
};
