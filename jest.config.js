/**
 * unit: pure logic. service: one of our HTTP services or files on its own (simulators, compose file, stripe-mock),
 * with the Go-built tools they need provisioned once by global setup. integration: the real stack, one PostgreSQL
 * and one Temporal dev server shared through global setup.
 */
const tsJest = ['ts-jest', { diagnostics: false }];
const base = { transform: { '^.+\\.ts$': tsJest }, testEnvironment: 'node' };
module.exports = {
  testTimeout: 180_000,
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/time-skipping-setup.ts',
    },
    {
      ...base,
      displayName: 'service',
      testMatch: ['<rootDir>/test/service/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/service-setup.ts',
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
