import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only makes the Azurite-backed suites thrash.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'app',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', '.azurite/**', 'portal/src/**', 'portal/dist/**'],
        },
      },
      // The portal's component tests: React in happy-dom, with the portal's own Vite config.
      'portal/vitest.config.ts',
    ],
  },
});
