import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.js';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      name: 'portal',
      root: import.meta.dirname,
      include: ['src/**/*.test.tsx'],
      environment: 'happy-dom',
      setupFiles: ['./vitest.setup.ts'],
    },
  }),
);
