import type { TestProject } from 'vitest/node';
import { ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { startPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Browser tests open the dashboard the orchestrator serves: built once here, never by two test files at once.
  await ensureDashboardBuilt((line) => process.stderr.write(`[dashboard] ${line}\n`));
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
