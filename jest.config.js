/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  // OpenBLAS's kernels, chosen in the real process.env before any test loads libtorch (see the file).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};
