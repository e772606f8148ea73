import { createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, ClusterUnreachableError } from '../../src/cluster/cluster-errors.ts';
import { KubeApi, withSignal } from '../../src/cluster/kube-api.ts';

function kubeApiAt(server: string): KubeApi {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }],
    users: [{ name: 'test', token: 'not-a-real-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return new KubeApi(kubeConfig);
}

/** The error a call to `kube` rejects with, as the adapters turn it into a ClusterError. */
async function failureOf(kube: KubeApi, signal?: AbortSignal): Promise<unknown> {
  try {
    await kube.core.listNamespace({}, signal ? withSignal(signal) : undefined);
  } catch (error) {
    return kube.failure(error, 'list namespaces', signal);
  }
  throw new Error('the call succeeded');
}

/** Accepts TCP connections and never answers: a server that hangs mid-handshake. */
let silent: Server;
let silentPort: number;
const held = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('an unreachable API server', () => {
  it('says the connection was refused, and where', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as { port: number }).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const server = `https://127.0.0.1:${port}`;

    const error = await failureOf(kubeApiAt(server));

    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error).toMatchObject({
      code: 'ClusterUnreachable',
      reason: 'ConnectionRefused',
      server,
      retryable: true,
    });
    expect((error as Error).message).toContain(
      `the Kubernetes API server at ${server} refused the connection`,
    );
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('says a host name does not resolve', async () => {
    const server = 'https://storefleet-no-such-host.invalid:6443';
    expect(await failureOf(kubeApiAt(server))).toMatchObject({
      code: 'ClusterUnreachable',
      reason: 'NameNotResolved',
      server,
    });
  });

  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['a connect timeout', coded('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), 'Timeout'],
    ['a socket timeout', coded('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:6443'), 'Timeout'],
    ['a reset connection', coded('ECONNRESET', 'read ECONNRESET'), 'ConnectionReset'],
    [
      'every address refusing',
      new AggregateError([coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:6443')], 'all failed'),
      'ConnectionRefused',
    ],
    ['a failure without a code', new Error('something else'), 'Unknown'],
  ])('tells %s apart', (_, cause, reason) => {
    const error = apiError(fetchFailed(cause), 'read namespace shop', 'https://k8s.example:6443');
    expect(error).toMatchObject({ code: 'ClusterUnreachable', reason, server: 'https://k8s.example:6443' });
    expect(error.message).toMatch(
      /^Could not read namespace shop: the Kubernetes API server at https:\/\/k8s\.example:6443 /,
    );
  });

  it('says the server did not answer in time when the client gives up waiting', async () => {
    const error = apiError(
      fetchFailed(
        coded(
          'UND_ERR_CONNECT_TIMEOUT',
          `Connect Timeout Error (attempted address: 127.0.0.1:${silentPort})`,
        ),
      ),
      'list namespaces',
      `https://127.0.0.1:${silentPort}`,
    );
    expect(error.message).toContain('did not answer in time');
  });
});

describe('a call under an AbortSignal', () => {
  it('stops waiting for a server that does not answer, with the abort reason', async () => {
    const reason = new Error('attempt cancelled');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 100);

    const error = await failureOf(kubeApiAt(`https://127.0.0.1:${silentPort}`), controller.signal);

    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
