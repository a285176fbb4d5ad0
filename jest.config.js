/**
 * Two projects: `unit` needs nothing but Node (`npm run test:unit`); `integration` runs against the real Temporal,
 * NATS, Docker and Kubernetes that its global setup starts.
 * @type {import('jest').Config}
 */
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // @kubernetes/client-node 1.x and openid-client ship only ES modules, which Jest on Node 20 loads only once
  // compiled to CommonJS; the rest of node_modules is left as it is.
  transform: {
    '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true }, isolatedModules: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
};

module.exports = {
  testTimeout: 120000,
  maxWorkers: 1,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
};
