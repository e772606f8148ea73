// The orchestrator process alone killed (SIGKILL) while helm installs a Medusa store on the real node:
// its helm goes on by itself. Another orchestrator started at once on the same data finds the release
// pending-install with that helm still working on it, waits for it instead of unlocking or upgrading,
// and adopts the revision it made for this generation: one Helm revision, the store Ready.
// The orchestrator's helm returns once the objects are applied, a second or so: to hold the release
// pending-install long enough, this test's helm is a slow one, which also waits for the workloads.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmRunningFor } from '../../src/cluster/helm-processes.ts';
import { waitFor } from '../support/harness.ts';
import { signUpOverHttp } from '../support/http-account.ts';
import { helmAsAdmin, type TestCluster, testCluster } from '../support/kube.ts';
import {
  killGroups,
  type OrchestratorProcess,
  startOrchestratorProcess,
} from '../support/orchestrator-process.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';

const READY_TIMEOUT_MS = 10 * 60_000;
const run = randomBytes(2).toString('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'storefleet-orphan-'));
const children: ChildProcess[] = [];
const cluster: TestCluster = testCluster();
const node = realNode(cluster);
let env: Record<string, string>;

interface History {
  revision: number;
  status: string;
  description: string;
}

const history = (release: string): History[] => {
  try {
    return JSON.parse(helmAsAdmin(cluster, ['history', release, '-n', release, '-o', 'json'])) as History[];
  } catch {
    return [];
  }
};

async function startOrchestrator(): Promise<OrchestratorProcess> {
  const started = await startOrchestratorProcess(env);
  children.push(started.child);
  return started;
}

/** A helm whose installs also wait for the workloads (tens of seconds for a Medusa store). */
function slowHelm(helm: string): string {
  const path = join(dataDir, 'helm');
  writeFileSync(
    path,
    `#!/bin/sh\nif [ "$1" = upgrade ]; then exec ${JSON.stringify(helm)} "$@" --wait=watcher --wait-for-jobs; fi\nexec ${JSON.stringify(helm)} "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}

beforeAll(async () => {
  const environment = await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS);
  env = {
    ...environment,
    HELM_BIN: slowHelm(environment.HELM_BIN ?? cluster.helm),
    PORT: '0',
    DATA_DIR: dataDir,
    LEASE_DURATION: '3s',
  };
});

afterAll(() => {
  killGroups(children);
  rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(node)(
  'an orchestrator killed while its helm installs',
  { timeout: READY_TIMEOUT_MS + 240_000 },
  () => {
    it('leaves a helm that finishes the install; the next orchestrator waits for it: one revision', async () => {
      const first = await startOrchestrator();
      const auth = await signUpOverHttp(first.address, `orphan-${run}@example.com`);
      const created = await fetch(`${first.address}/api/stores`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Orphan Helm ${run}`, engine: 'medusa' }),
      });
      expect(created.status).toBe(202);
      const { id, release } = (await created.json()) as { id: string; release: string };
      await waitFor(
        async () => history(release).at(-1)?.status === 'pending-install',
        'helm mid-install',
        180_000,
        250,
      );

      // Only the orchestrator: its helm is left running, as it is outside a container.
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await exited;
      expect(await helmRunningFor(release, release)).toBe(true);

      const second = await startOrchestrator();
      const store = await waitFor(
        async () => {
          const response = await fetch(`${second.address}/api/stores/${id}`, { headers: auth });
          const body = (await response.json()) as { state: string; attempts: number; revision: number };
          if (body.state === 'Failed') throw new Error(`the store failed: ${JSON.stringify(body)}`);
          return body.state === 'Ready' ? body : undefined;
        },
        'the store to become Ready after the restart',
        READY_TIMEOUT_MS,
        1_000,
      );
      expect(store.attempts).toBeGreaterThanOrEqual(2);
      expect(store.revision).toBe(1);
      // One revision: the orphaned helm's install, made for the store's first generation.
      expect(history(release).map((entry) => [entry.revision, entry.status, entry.description])).toEqual([
        [1, 'deployed', 'Storefleet generation 1'],
      ]);
      const activity = (await (
        await fetch(`${second.address}/api/stores/${id}/activity`, { headers: auth })
      ).json()) as {
        items: { type: string }[];
      };
      expect(activity.items.map((entry) => entry.type)).not.toContain('store.failed');

      await fetch(`${second.address}/api/stores/${id}`, { method: 'DELETE', headers: auth });
      await waitFor(
        async () =>
          (
            (await (await fetch(`${second.address}/api/stores/${id}`, { headers: auth })).json()) as {
              state: string;
            }
          ).state === 'Deleted',
        'the store to be deleted',
        240_000,
        1_000,
      );
      second.child.kill('SIGTERM');
    });
  },
);
