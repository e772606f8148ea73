import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';

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
          exclude: [
            ...configDefaults.exclude,
            'packages/backup-agent/**',
            'apps/orchestrator/test/disaster/**',
          ],
          globalSetup: [
            'apps/orchestrator/test/support/global-setup.ts',
            'apps/orchestrator/test/support/cluster-setup.ts',
          ],
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Stops the run's cluster (the machine's one real node) to recover a store on a fresh one: it
        // runs alone, after every project of group 1 has finished. Not group 0 for the others: with one
        // worker (vitest's default on two cores), vitest moves group-0 files into a group of their own
        // that runs after every numbered group, so this one ran first.
        test: {
          name: 'disaster',
          include: ['apps/orchestrator/test/disaster/**/*.test.ts'],
          globalSetup: ['apps/orchestrator/test/support/cluster-setup.ts'],
          sequence: { groupOrder: 2 },
        },
      },
      {
        // Starts its own S3 server and PostgreSQL per file, and needs no cluster: `--project backup-agent`
        // runs it alone.
        test: {
          name: 'backup-agent',
          include: ['packages/backup-agent/test/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dashboard',
          environment: 'jsdom',
          include: ['apps/dashboard/test/**/*.test.tsx'],
          setupFiles: ['apps/dashboard/test/setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'storefront',
          environment: 'jsdom',
          include: ['apps/storefront/test/**/*.test.tsx'],
          setupFiles: ['apps/storefront/test/setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
