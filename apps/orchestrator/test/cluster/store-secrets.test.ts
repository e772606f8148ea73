// The store's Secrets on the test cluster's API server: the generated credentials are written once and
// kept, and the platform's SMTP password is copied into the store's namespace, rewritten when it changes.
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeApi } from '../../src/cluster/kube-api.ts';
import type { StoreTarget } from '../../src/cluster/port.ts';
import { KubernetesSecrets } from '../../src/cluster/secrets.ts';
import { SMTP_PASSWORD_KEY, SMTP_SECRET_NAME, STORE_SECRET_NAME } from '../../src/cluster/store-secrets.ts';
import { adminConfig, testCluster } from '../support/kube.ts';

const config = adminConfig(testCluster());
const core = config.makeApiClient(CoreV1Api);
const slug = `secrets-${randomBytes(3).toString('hex')}`;
const target: StoreTarget = {
  storeId: '5b0c6f1e-2a4d-4c3b-9f1e-7d6a5c4b3a21',
  slug,
  name: 'Secrets',
  engine: 'medusa',
  ownerId: 'owner-1',
  namespace: `store-${slug}`,
  release: `store-${slug}`,
  values: {},
  generation: 1,
};

afterAll(async () => {
  await core.deleteNamespace({ name: target.namespace }).catch(() => {});
});

const read = async (name: string) => {
  const secret = await core.readNamespacedSecret({ name, namespace: target.namespace });
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
};

describe("a store's Secrets", () => {
  it('keeps the credentials it generated once, and writes the SMTP password anew on every deploy', async () => {
    await core.createNamespace({ body: { metadata: { name: target.namespace } } });
    const signal = () => AbortSignal.timeout(30_000);
    await new KubernetesSecrets(new KubeApi(config), 'first-relay-password').ensureSecrets(target, signal());
    const credentials = await read(STORE_SECRET_NAME);
    expect(credentials['admin-password']?.length).toBeGreaterThan(10);
    expect(await read(SMTP_SECRET_NAME)).toEqual({ [SMTP_PASSWORD_KEY]: 'first-relay-password' });

    await new KubernetesSecrets(new KubeApi(config), 'rotated-relay-password').ensureSecrets(
      target,
      signal(),
    );
    expect(await read(SMTP_SECRET_NAME)).toEqual({ [SMTP_PASSWORD_KEY]: 'rotated-relay-password' });
    expect(await read(STORE_SECRET_NAME)).toEqual(credentials);

    // A platform without a relay password writes none.
    await core.deleteNamespacedSecret({ name: SMTP_SECRET_NAME, namespace: target.namespace });
    await new KubernetesSecrets(new KubeApi(config)).ensureSecrets(target, signal());
    await expect(
      core.readNamespacedSecret({ name: SMTP_SECRET_NAME, namespace: target.namespace }),
    ).rejects.toThrow();
  });
});
