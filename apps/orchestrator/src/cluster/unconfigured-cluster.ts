// Stands in when no cluster is configured, so that stores fail at once with a reason saying what to do.
import { describeEngine, engineModules } from '../engines/registry.ts';
import { type Cluster, ClusterError } from './port.ts';

const HOW_TO =
  'No Kubernetes cluster is configured: set KUBECONFIG to a kubeconfig file (k3d, kind or k3s) or run the orchestrator inside a cluster, then retry the store.';

function refuseNow(): never {
  throw new ClusterError('ClusterNotConfigured', HOW_TO, { retryable: false });
}

async function refuse(): Promise<never> {
  refuseNow();
}

export function unconfiguredCluster(): Cluster {
  return {
    info: () => ({ configured: false, simulated: false, description: HOW_TO }),
    /** Every engine, as far as this platform goes: creating a store then fails with what to configure. */
    engines: () =>
      engineModules().map((module) =>
        describeEngine(module, { available: true, pods: 'real', reason: null }),
      ),
    namespaces: { ensureNamespace: refuse, deleteNamespace: refuse },
    secrets: { ensureSecrets: refuse },
    releases: {
      installRelease: refuse,
      rollbackRelease: refuse,
      releaseHistory: refuse,
      uninstallRelease: refuse,
      helmRunning: async () => undefined,
    },
    workloads: { waitUntilReady: refuse, watchWorkloads: refuseNow, observeWorkloads: refuse },
    inspection: { resources: refuse, adminCredentials: refuse },
    data: { backupParts: () => ['database'], dumpData: refuse, restoreData: refuse },
    scaling: { scaleDown: refuse, scaleUp: refuse, rerunSetup: refuse },
    backupSchedule: { applyBackupSchedule: refuse },
    certificates: { deleteHostCertificate: refuse },
    fallback: { publishFallbackRoute: refuse },
  };
}
