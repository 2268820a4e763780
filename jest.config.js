// @ts-check
/**
 * Unit tests sit beside the code (src/**\/*.spec.ts), integration and e2e tests
 * in test/ (*.test.ts). Every test talks to a real PostgreSQL: TEST_DATABASE_URL
 * or an embedded one started by test/global-setup.ts.
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
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.(js|mjs)$': swc('ecmascript'),
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  // Child processes and servers are closed by the tests; this only reports what they forgot.
  detectOpenHandles: false,
};
