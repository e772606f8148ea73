// Vitest global setup: the local control plane for the integration tests (started, or reused when
// one is already running) and the pinned helm. Missing binaries fail the run with what to do.
import type { TestProject } from 'vitest/node';
import { acquireCluster } from '../../../../tools/testcluster/src/shared-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    helm: string;
  }
}

export default async function setup(project: TestProject) {
  const cluster = await acquireCluster();
  project.provide('kubeconfig', cluster.kubeconfig);
  project.provide('helm', cluster.helm);
  return () => cluster.release();
}
