// The API on a platform with no cluster configured: what reads the cluster says what to set.
import { ApiError, Store } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unconfiguredCluster } from '../../src/cluster/unconfigured-cluster.ts';
import type { Platform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { signedIn, startTestPlatform } from '../support/harness.ts';

describe('the API without a cluster', () => {
  let test: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    test = await createTestDatabase('pglite');
    platform = await startTestPlatform(test.database, unconfiguredCluster());
  });
  afterAll(async () => {
    await platform.stop();
    await test.close();
  });

  it('answers the routes that read the cluster 503 CLUSTER_UNAVAILABLE, saying what to set', async () => {
    const { headers } = await signedIn(platform, 'nocluster@example.com');
    const created = await platform.app.inject({
      method: 'POST',
      url: '/api/stores',
      headers,
      payload: { name: 'No Cluster Shop', engine: 'woocommerce' },
    });
    expect(created.statusCode).toBe(202);
    const { id } = Store.parse(created.json());
    const response = await platform.app.inject({
      method: 'GET',
      url: `/api/stores/${id}/resources`,
      headers,
    });
    expect(response.statusCode).toBe(503);
    const { error } = ApiError.parse(response.json());
    expect(error.code).toBe('CLUSTER_UNAVAILABLE');
    expect(error.message).toMatch(/set KUBECONFIG/);
    expect(error.details).toEqual({ reason: 'ClusterNotConfigured' });
  });
});
