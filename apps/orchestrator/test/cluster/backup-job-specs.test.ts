// The backup Jobs' objects as the test cluster's API server sees them: every Job, Secret and
// NetworkPolicy the builders make, for each engine, part and direction, is created with a server-side
// dry run (validated and admitted, never stored), in a namespace that exists, so a field the API
// rejects (a misspelt key, a bad quantity, an invalid selector) fails here rather than in a store.
import { BatchV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  type BackupJobInput,
  backupJob,
  backupJobNetworkPolicies,
  backupJobSecret,
} from '../../src/cluster/backup-job.ts';
import { engineModule } from '../../src/engines/registry.ts';
import { adminConfig, testCluster } from '../support/kube.ts';

const config = adminConfig(testCluster());
const batch = config.makeApiClient(BatchV1Api);
const core = config.makeApiClient(CoreV1Api);
const networking = config.makeApiClient(NetworkingV1Api);
const NAMESPACE = 'default';
const DRY_RUN = 'All';

const cases = (['medusa', 'woocommerce'] as const).flatMap((engine) => {
  const jobs = engineModule(engine).backup.job?.('store-dry-run') ?? expect.unreachable();
  return (['database', 'files'] as const).flatMap((part) => {
    const commands = jobs[part];
    return commands
      ? (['backup', 'restore'] as const).map((direction) => ({ engine, part, direction, commands }))
      : [];
  });
});

describe('backup Job objects on the API server (server-side dry run)', () => {
  it.each(cases)(
    '$engine $part $direction: the Job, its Secret and its NetworkPolicies are valid',
    async (c) => {
      const input: BackupJobInput = {
        direction: c.direction,
        target: {
          storeId: '6f1c2d1e-5b0a-4c59-9a57-1d1c0ee1b7a1',
          slug: 'dry-run',
          engine: c.engine,
          generation: 1,
          ownerId: 'owner-1',
          namespace: NAMESPACE,
        },
        backupStoreId: '6f1c2d1e-5b0a-4c59-9a57-1d1c0ee1b7a1',
        backupId: '0b4f5a2e-8a61-4d5e-9f3a-0c7c1f1e2d3c',
        part: c.part,
        commands: c.commands,
        storeSecret: 'store-credentials',
        bucket: {
          endpoint: 'http://10.250.0.1:9000',
          region: 'us-east-1',
          bucket: 'storefleet-backups',
          prefix: 'fleet',
          forcePathStyle: true,
        },
        withCredentials: true,
        image: 'storefleet.local/backup-agent:0.1.0',
        placement: { kind: 'node', label: { key: 'storefleet.io/real-node', value: 'true' } },
        deadlineSeconds: 900,
      };
      const job = await batch.createNamespacedJob({
        namespace: NAMESPACE,
        body: backupJob(input),
        dryRun: DRY_RUN,
      });
      expect(job.spec?.template.spec?.containers[0]?.command?.[0]).toBe('bash');
      const secret = backupJobSecret(input, {
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'not-real' },
        recipient: 'age1recipient',
        identity: 'AGE-SECRET-KEY-1IDENTITY',
      });
      await core.createNamespacedSecret({ namespace: NAMESPACE, body: secret, dryRun: DRY_RUN });
      for (const policy of backupJobNetworkPolicies(input)) {
        const created = await networking.createNamespacedNetworkPolicy({
          namespace: NAMESPACE,
          body: policy,
          dryRun: DRY_RUN,
        });
        // The ingress rule's peers survive the client's serialization (`_from` → `from`).
        for (const rule of created.spec?.ingress ?? []) expect(rule._from).toHaveLength(1);
      }
    },
  );
});
