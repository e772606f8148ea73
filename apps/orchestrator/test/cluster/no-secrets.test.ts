// A whole run (sign up, create, Ready, reveal, delete) on the real cluster with every log line and
// every live event captured: no password, token, cookie or store secret may appear in any of them.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { CoreV1Api } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src/cluster/connect.ts';
import { REDACTED_PATHS } from '../../src/observability/logger.ts';
import { type Platform, startPlatform } from '../../src/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { testConfig, waitFor } from '../support/harness.ts';
import { adminConfig, orchestratorKubeconfig, testCluster } from '../support/kube.ts';

/** Names differ per run: a cluster reused from an earlier run may still hold its namespaces. */
const run = randomBytes(2).toString('hex');
const PASSWORD = 'sign-up password that must stay secret';
const lines: string[] = [];
let test: TestDatabase;
let platform: Platform;

beforeAll(async () => {
  const cluster = testCluster();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  const config = testConfig({
    KUBECONFIG: await orchestratorKubeconfig(cluster),
    HELM_BIN: cluster.helm,
    STORE_CLUSTER_ROLE: 'storefleet-store',
    ORCHESTRATOR_SERVICE_ACCOUNT: 'storefleet/storefleet-orchestrator',
    PROVISION_TIMEOUT: '90s',
    LOG_LEVEL: 'trace',
  });
  test = await createTestDatabase('pglite');
  platform = await startPlatform({
    config,
    logger,
    database: test.database,
    cluster: await connectCluster(config, logger),
    pollIntervalMs: 50,
    heartbeatIntervalMs: 500,
  });
});

afterAll(async () => {
  await platform?.stop();
  await test?.close();
});

describe('secrets stay out of logs and events', { timeout: 240_000 }, () => {
  it('never writes a password, token, cookie or store secret into a log line or an event', async () => {
    const address = await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const signup = await fetch(`${address}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'careful@example.com', password: PASSWORD }),
    });
    const cookie = /sf_session=([^;]+)/.exec(signup.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const { csrfToken } = (await signup.json()) as { csrfToken: string };
    const browser = {
      cookie: `sf_session=${cookie}`,
      'x-csrf-token': csrfToken,
      'content-type': 'application/json',
    };
    const tokenResponse = await fetch(`${address}/api/tokens`, {
      method: 'POST',
      headers: browser,
      body: JSON.stringify({ name: 'ci' }),
    });
    const { token } = (await tokenResponse.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    const api = { ...bearer, 'content-type': 'application/json' };

    const events: string[] = [];
    const stream = new AbortController();
    const response = await fetch(`${address}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: stream.signal,
    });
    void (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          events.push(value);
        }
      } catch {
        // the stream is aborted at the end of the test
      }
    })();

    const created = await fetch(`${address}/api/stores`, {
      method: 'POST',
      headers: api,
      body: JSON.stringify({ name: `Quiet Shop ${run}`, engine: 'woocommerce' }),
    });
    const { id } = (await created.json()) as { id: string };
    const read = async () =>
      (await (await fetch(`${address}/api/stores/${id}`, { headers: api })).json()) as { state: string };
    await waitFor(async () => (await read()).state === 'Ready', 'Ready', 90_000);
    const revealed = (await (
      await fetch(`${address}/api/stores/${id}/credentials`, { method: 'POST', headers: bearer })
    ).json()) as {
      password: string;
    };
    expect(revealed.password.length).toBeGreaterThan(10);

    const secret = await adminConfig(testCluster())
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: 'store-credentials', namespace: `store-quiet-shop-${run}` });
    const storeSecrets = Object.values(secret.data ?? {}).map((value) =>
      Buffer.from(value, 'base64').toString(),
    );

    await fetch(`${address}/api/stores/${id}`, { method: 'DELETE', headers: bearer });
    await waitFor(async () => (await read()).state === 'Deleted', 'Deleted', 120_000);
    stream.abort();

    const secrets = [
      PASSWORD,
      cookie,
      csrfToken,
      token,
      revealed.password,
      ...storeSecrets.filter((s) => s.length >= 12),
    ];
    expect(secrets.every((s) => s.length >= 12)).toBe(true);
    expect(lines.length).toBeGreaterThan(20);
    expect(events.join('')).toContain('"state":"Ready"');
    for (const value of secrets) {
      expect(lines.filter((line) => line.includes(value))).toEqual([]);
      expect(events.join('').includes(value)).toBe(false);
    }
  });
});
