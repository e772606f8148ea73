import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'node',
          include: [
            'apps/*/test/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'tools/*/test/**/*.test.ts',
            'charts/*/test/**/*.test.ts',
            'scripts/test/**/*.test.ts',
            'images/*/test/**/*.test.ts',
          ],
          globalSetup: [
            'apps/orchestrator/test/support/global-setup.ts',
            'apps/orchestrator/test/support/cluster-setup.ts',
          ],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dashboard',
          environment: 'jsdom',
          include: ['apps/dashboard/test/**/*.test.tsx'],
          setupFiles: ['apps/dashboard/test/setup.ts'],
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'storefront',
          environment: 'jsdom',
          include: ['apps/storefront/test/**/*.test.tsx'],
          setupFiles: ['apps/storefront/test/setup.ts'],
        },
      },
    ],
  },
});
