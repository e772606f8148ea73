// The orchestrator process killed (SIGKILL) after helm installed a store's release, while it waits
// for the workloads to become ready, then started again: the store must still reach Ready, with one
// release of one revision (the next orchestrator adopts the install, it does not upgrade or reinstall).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.ts';
import { signUpOverHttp } from '../support/http-account.ts';
import {
  adminConfig,
  helmAsAdmin,
  orchestratorKubeconfig,
  type TestCluster,
  testCluster,
} from '../support/kube.ts';
import {
  killGroup,
  killGroups,
  type OrchestratorProcess,
  startOrchestratorProcess,
} from '../support/orchestrator-process.ts';

/** Names differ per run: a cluster reused from an earlier run may still hold its namespaces. */
const run = randomBytes(2).toString('hex');
const GATE_LABEL = 'storefleet-test/install-gate';
const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-crash-'));
const children: ChildProcess[] = [];
let cluster: TestCluster;
let env: Record<string, string>;
let core: CoreV1Api;

async function startOrchestrator(): Promise<OrchestratorProcess> {
  const started = await startOrchestratorProcess(env);
  children.push(started.child);
  return started;
}

async function labelNodes(value: string | null): Promise<void> {
  const nodes = await core.listNode();
  for (const node of nodes.items) {
    await core.patchNode(
      { name: node.metadata?.name ?? '', body: { metadata: { labels: { [GATE_LABEL]: value } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

function releaseStatus(namespace: string, release: string): string | undefined {
  try {
    return JSON.parse(helmAsAdmin(cluster, ['status', release, '-n', namespace, '-o', 'json'])).info.status;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  cluster = testCluster();
  core = adminConfig(cluster).makeApiClient(CoreV1Api);
  const values = join(dataDir, 'gate.json');
  // App pods may only run on nodes carrying the gate label: until it is set, the store cannot be ready.
  writeFileSync(values, JSON.stringify({ app: { nodeSelector: { [GATE_LABEL]: 'open' } } }));
  env = {
    PORT: '0',
    DATA_DIR: dataDir,
    KUBECONFIG: await orchestratorKubeconfig(cluster),
    HELM_BIN: cluster.helm,
    STORE_PLACEMENT: 'simulated',
    ENGINE_VALUES_FILES: `woocommerce=${values}`,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    LEASE_DURATION: '3s',
    PROVISION_RETRY_BACKOFF: '500ms',
    PROVISION_TIMEOUT: '2m',
  };
});

afterAll(async () => {
  killGroups(children);
  await labelNodes(null);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an orchestrator killed while it waits for a new store to become ready', {
  timeout: 240_000,
}, () => {
  it('resumes after a restart and reaches Ready with a single release', async () => {
    const first = await startOrchestrator();
    const auth = await signUpOverHttp(first.address, 'crash@example.com');
    const created = await fetch(`${first.address}/api/stores`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Crash Shop ${run}`, engine: 'woocommerce' }),
    });
    const { id } = (await created.json()) as { id: string };
    await waitFor(
      async () => {
        if (releaseStatus(`store-crash-shop-${run}`, `store-crash-shop-${run}`) !== 'deployed') return false;
        const body = (await (await fetch(`${first.address}/api/stores/${id}`, { headers: auth })).json()) as {
          state: string;
          conditions: { type: string; status: string }[];
        };
        const app = body.conditions.find((condition) => condition.type === 'AppReady');
        return body.state === 'Provisioning' && app !== undefined && app.status !== 'True';
      },
      'helm to have installed the release, and the store to wait for its app',
      90_000,
      250,
    );
    // The whole process group, as a container's end would: a helm left running would go on with the
    // install and race the next orchestrator.
    const exited = new Promise((resolvePromise) => first.child.once('exit', resolvePromise));
    killGroup(first.child, 'SIGKILL');
    await exited;

    await labelNodes('open');
    const second = await startOrchestrator();
    const store = await waitFor(
      async () => {
        const body = (await (
          await fetch(`${second.address}/api/stores/${id}`, { headers: auth })
        ).json()) as {
          state: string;
          attempts: number;
        };
        return body.state === 'Ready' ? body : undefined;
      },
      'the store to become Ready after the restart',
      120_000,
    );
    expect(store.attempts).toBeGreaterThanOrEqual(2);
    const releases = JSON.parse(
      helmAsAdmin(cluster, ['list', '-n', `store-crash-shop-${run}`, '-o', 'json']),
    ) as {
      name: string;
      status: string;
    }[];
    expect(releases).toEqual([
      expect.objectContaining({ name: `store-crash-shop-${run}`, status: 'deployed', revision: '1' }),
    ]);

    await fetch(`${second.address}/api/stores/${id}`, { method: 'DELETE', headers: auth });
    await waitFor(
      async () =>
        (
          (await (await fetch(`${second.address}/api/stores/${id}`, { headers: auth })).json()) as {
            state: string;
          }
        ).state === 'Deleted',
      'the store to be deleted',
      120_000,
    );
    second.child.kill('SIGTERM');
  });
});
