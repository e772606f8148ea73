// The orchestrator image (images/orchestrator/image.json) as the cluster tool builds it, imported into
// the test cluster's real node and run there as the platform chart runs it: non-root, read-only root
// filesystem, /tmp and the data directory on emptyDirs, the embedded database, no cluster.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type V1Container, type V1PodSpec } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminConfig, testCluster } from '../../../apps/orchestrator/test/support/kube.ts';
import { podWorkingSetBytes } from '../../../apps/orchestrator/test/support/pod-cgroups.ts';
import { realNode } from '../../../apps/orchestrator/test/support/real-node.ts';
import { until } from '../../../apps/orchestrator/test/support/until.ts';
import {
  type ImageRecipe,
  imageRef,
  readRecipes,
} from '../../../tools/testcluster/src/node/image-recipes.ts';
import { buildImage, importImage } from '../../../tools/testcluster/src/node/images.ts';
import { NODE_LABEL, nodeLayout } from '../../../tools/testcluster/src/node/node-layout.ts';

const cluster = testCluster();
const node = realNode(cluster);
const core = adminConfig(cluster).makeApiClient(CoreV1Api);
const log = (line: string) => process.stderr.write(`[orchestrator image] ${line}\n`);
const MiB = 1024 * 1024;

/** As the platform chart's containerSecurityContext (values.yaml). */
const SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

function podSpec(container: V1Container, restartPolicy: 'Always' | 'Never'): V1PodSpec {
  return {
    nodeSelector: { [NODE_LABEL.key]: NODE_LABEL.value },
    tolerations: [{ key: NODE_LABEL.key, operator: 'Equal', value: NODE_LABEL.value, effect: 'NoSchedule' }],
    securityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    terminationGracePeriodSeconds: 1,
    restartPolicy,
    containers: [
      {
        imagePullPolicy: 'Never',
        securityContext: SECURITY,
        volumeMounts: [
          { name: 'tmp', mountPath: '/tmp' },
          { name: 'data', mountPath: '/data' },
        ],
        ...container,
      },
    ],
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: '512Mi' } },
      { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
    ],
  };
}

/** The bytes of the files in the archive's layers: what the image takes unpacked. */
function unpackedBytes(archive: string): number {
  const index = JSON.parse(execFileSync('tar', ['-xOf', archive, './index.json'], { encoding: 'utf8' }));
  const blob = (digest: string) => `./blobs/sha256/${digest.slice('sha256:'.length)}`;
  const manifest = JSON.parse(
    execFileSync('tar', ['-xOf', archive, blob(index.manifests[0].digest)], { encoding: 'utf8' }),
  ) as { layers: { digest: string }[] };
  let total = 0;
  for (const layer of manifest.layers) {
    const listing = execFileSync('sh', ['-c', `tar -xOf "$0" "$1" | tar -tv`, archive, blob(layer.digest)], {
      encoding: 'utf8',
      maxBuffer: 64 * MiB,
    });
    for (const line of listing.split('\n')) if (line.startsWith('-')) total += Number(line.split(/\s+/)[2]);
  }
  return total;
}

const title = node
  ? 'the orchestrator image on the real node'
  : 'the orchestrator image on the real node (skipped: the test cluster has no real node on this host)';

describe.runIf(node)(title, { timeout: 300_000 }, () => {
  let recipe: ImageRecipe;
  let archive: string;
  let namespace: string;

  beforeAll(async () => {
    recipe = (await readRecipes()).get('orchestrator') as ImageRecipe;
    const started = Date.now();
    archive = await buildImage('orchestrator', recipe, log);
    const built = Date.now() - started;
    const again = Date.now();
    expect(await buildImage('orchestrator', recipe, log)).toBe(archive);
    console.info(
      `orchestrator image: first build call ${(built / 1000).toFixed(1)} s (only the layers whose inputs ` +
        `changed are made), second ${((Date.now() - again) / 1000).toFixed(2)} s (a cache hit)`,
    );
    await importImage(
      nodeLayout(dirname(cluster.adminKubeconfig)).containerdSocket,
      imageRef(recipe),
      archive,
      log,
    );
    namespace = `orchestrator-image-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await until('the default ServiceAccount', 30_000, async () =>
      (await core.readNamespacedServiceAccount({ name: 'default', namespace })) ? true : undefined,
    );
  }, 900_000);

  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => {});
  });

  it('reports its size', () => {
    const sizes = { archive: statSync(archive).size, unpacked: unpackedBytes(archive) };
    console.info(
      `orchestrator image ${imageRef(recipe)}: archive ${(sizes.archive / MiB).toFixed(1)} MiB ` +
        `(${sizes.archive} bytes), unpacked ${(sizes.unpacked / MiB).toFixed(1)} MiB (${sizes.unpacked} bytes)`,
    );
    expect(sizes.unpacked).toBeGreaterThan(0);
  });

  it('serves the API and the dashboard as uid 1000 on a read-only root filesystem, with no cluster', async () => {
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'orchestrator' },
        spec: podSpec(
          {
            name: 'orchestrator',
            image: imageRef(recipe),
            env: [{ name: 'LOG_LEVEL', value: 'warn' }],
            resources: { requests: { cpu: '100m', memory: '768Mi' }, limits: { memory: '1536Mi' } },
          },
          'Always',
        ),
      },
    });
    const ip = await until('the pod IP', 60_000, async () => {
      const status = (await core.readNamespacedPod({ name: 'orchestrator', namespace })).status;
      const waiting = status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && /Err|BackOff|Invalid/.test(waiting.reason))
        throw new Error(`${waiting.reason}: ${waiting.message ?? ''}`);
      return status?.podIP;
    });
    const get = async (path: string) => {
      const response = await fetch(`http://${ip}:8080${path}`, { signal: AbortSignal.timeout(5000) });
      return { status: response.status, body: await response.text() };
    };
    const started = Date.now();
    await until('GET /healthz', 120_000, async () =>
      (await get('/healthz')).status === 200 ? true : undefined,
    );
    console.info(
      `orchestrator pod: /healthz answered ${((Date.now() - started) / 1000).toFixed(1)} s after its IP`,
    );
    expect((await get('/readyz')).status).toBe(200);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Storefleet</title>');
    expect(index.body).toContain('<div id="root"></div>');

    // Memory after start-up and a few requests (the embedded database is most of it).
    await sleep(5000);
    const uid = pod.metadata?.uid as string;
    const workingSet = podWorkingSetBytes(uid);
    console.info(`orchestrator pod: working set ${(workingSet / MiB).toFixed(1)} MiB (${workingSet} bytes)`);
    expect(workingSet).toBeLessThan(1536 * MiB);
    const restarts = (await core.readNamespacedPod({ name: 'orchestrator', namespace })).status
      ?.containerStatuses?.[0]?.restartCount;
    expect(restarts).toBe(0);
  });

  it('holds helm v4, the migrate entry and nothing writable outside the volumes', async () => {
    const script = [
      'echo "uid $(id -u)"',
      'echo "helm $(helm version --template "{{.Version}}")"',
      'node images/orchestrator/migrate.ts; echo "migrate $?"',
      'touch /app/written 2>/dev/null && echo "root fs writable" || echo "root fs read-only"',
      'ls /app/charts',
    ].join('; ');
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'tools' },
        spec: podSpec({ name: 'tools', image: imageRef(recipe), command: ['sh', '-c', script] }, 'Never'),
      },
    });
    await until('the tools pod', 90_000, async () => {
      const phase = (await core.readNamespacedPod({ name: 'tools', namespace })).status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
    });
    const output = await core.readNamespacedPodLog({ name: 'tools', namespace });
    expect(output).toContain('uid 1000');
    expect(output).toMatch(/^helm v4\.\d+\.\d+$/m);
    // Without a DATABASE_URL it says what it needs and exits 2: Node runs the TypeScript entry.
    expect(output).toContain('migrate: set DATABASE_URL');
    expect(output).toContain('migrate 2');
    expect(output).toContain('root fs read-only');
    expect(output).toMatch(/^medusa$/m);
    expect(output).toMatch(/^store$/m);
  });
});
