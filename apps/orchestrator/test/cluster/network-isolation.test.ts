// The store charts' and the platform chart's real NetworkPolicies, rendered as the product deploys
// them (the orchestrator's own values and the prod values file), enforced on the real node: stand-in
// pods with the real workloads' labels listen on the real ports, and probes from pods that may and
// may not reach them read real connection results. Every refusal has a control that succeeds.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { CoreV1Api, loadAllYaml, NetworkingV1Api, type V1NetworkPolicy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartRenderer, type Manifest, parse } from '../../../../charts/test-support/helm-chart.ts';
import { orchestratorValuesFor } from '../../../../charts/test-support/orchestrator-values.ts';
import { GATEWAY } from '../../../../tools/testcluster/src/node/node-layout.ts';
import type { StoreTarget } from '../../src/cluster/port.ts';
import { storeLabels } from '../../src/cluster/store-labels.ts';
import { adminConfig, REPO, testCluster } from '../support/kube.ts';
import {
  enforcerRuns,
  firewallProgrammed,
  type Probe,
  readRound,
  running,
  STAND_IN_LABEL,
  type StandIn,
  standInPod,
} from '../support/netpol-probes.ts';
import { realNode } from '../support/real-node.ts';
import { until } from '../support/until.ts';

const cluster = testCluster();
const node = realNode(cluster) as (ReturnType<typeof realNode> & { networkPolicy?: string }) | undefined;
const enforced = Boolean(node && (node.networkPolicy || enforcerRuns()));
const skipReason = !node
  ? 'the test cluster has no real node'
  : 'the real node enforces no NetworkPolicies (a node from before kube-router; run cluster:down and cluster:up)';
const config = adminConfig(cluster);
const core = config.makeApiClient(CoreV1Api);
const networking = config.makeApiClient(NetworkingV1Api);

const id = randomBytes(3).toString('hex');
const slugA = `a-${id}`;
const slugB = `b-${id}`;
const nsA = `store-${slugA}`;
const nsB = `store-${slugB}`;
const nsPlatform = `storefleet-np-${id}`;
const nsOther = `outsider-${id}`;
/** The store charts' ingress and DNS namespace in the values the orchestrator deploys with. */
const INGRESS_NAMESPACE = 'kube-system';
const KUBERNETES_SERVICE = '10.96.0.1';
/** The API server's own port: the `kubernetes` Service's endpoint (10.250.0.1:<port>), what policies see after DNAT. */
const API_SERVER_PORT = Number(new URL(config.getCurrentCluster()?.server ?? 'https://x:0').port);
const apiServer = { name: 'api-server', host: KUBERNETES_SERVICE, port: 443, scheme: 'https' } as const;
/** The ingress controller's labels (the policies select its namespace only). */
const TRAEFIK = { 'app.kubernetes.io/name': 'traefik' };

const medusa = chartRenderer(join(REPO, 'charts/medusa'), { release: nsA, namespace: nsA });
const platform = chartRenderer(join(REPO, 'charts/storefleet'), {
  release: 'storefleet',
  namespace: nsPlatform,
});

/** The orchestrator's values with the node's own additions, `networkPolicy` merged rather than replaced. */
function merge(values: Record<string, unknown>, extra: { networkPolicy: Record<string, unknown> }) {
  const networkPolicy = (values.networkPolicy ?? {}) as Record<string, unknown>;
  return { ...values, networkPolicy: { ...networkPolicy, ...extra.networkPolicy } };
}

/** Listeners on the node's bridge address (pods reach the host there), outside the NodePort range. */
async function hostListener(): Promise<{ server: Server; port: number }> {
  for (;;) {
    const server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, GATEWAY, resolve));
    const { port } = server.address() as { port: number };
    if (port < 30000 || port > 32767) return { server, port };
    server.close();
  }
}

/** The pod labels of a rendered workload (Deployment or StatefulSet) of one component. */
const podLabels =
  (objects: Manifest[]) =>
  (component: string): Record<string, string> => {
    const workload = objects.find(
      (o) =>
        (o.kind === 'Deployment' || o.kind === 'StatefulSet') &&
        o.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'] === component,
    );
    if (!workload) throw new Error(`no workload of ${component} rendered`);
    return workload.spec.template.metadata.labels;
  };

/** The NetworkPolicies as client models: a plain object's `from` would be dropped (the model calls it `_from`). */
const policies = (text: string) =>
  (loadAllYaml(text) as { kind?: string }[]).filter((o) => o.kind === 'NetworkPolicy') as V1NetworkPolicy[];

const servers: Server[] = [];
const standIns: StandIn[] = [];
const results = new Map<string, Record<string, number>>();
const podIps = new Map<string, string>();

/** A GET from the host (where the orchestrator and Traefik run here) to a pod's address. */
async function fromHost(namespace: string, name: string, port: number): Promise<string> {
  const response = await fetch(`http://${podIps.get(`${namespace}/${name}`)}:${port}/`, {
    signal: AbortSignal.timeout(3000),
  }).catch(() => undefined);
  return response?.ok ? 'connects' : 'is refused';
}
const createdNamespaces = [nsA, nsB, nsPlatform, nsOther];

afterAll(async () => {
  for (const server of servers) server.close();
  if (!enforced) return;
  await core
    .deleteNamespacedPod({ name: `ingress-${id}`, namespace: INGRESS_NAMESPACE, gracePeriodSeconds: 0 })
    .catch(() => {});
  for (const name of createdNamespaces) await core.deleteNamespace({ name }).catch(() => {});
});

describe.skipIf(!enforced)(
  `NetworkPolicies on the real node (${enforced ? (node?.networkPolicy ?? 'kube-router') : skipReason})`,
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      const closed = await hostListener();
      const smtp = await hostListener();
      servers.push(closed.server, smtp.server);
      const relay = {
        host: GATEWAY,
        port: smtp.port,
        encryption: 'none' as const,
        user: undefined,
        password: undefined,
        fromPattern: 'orders@{host}',
      };
      const prod = [join(REPO, 'charts/medusa/values-prod.yaml')];
      // Production's policies, with the one address this cluster differs in: its DNS runs on the node.
      const nodeDns = { networkPolicy: { dnsCidrs: [`${GATEWAY}/32`] } };
      const storeAText = medusa.renderText({
        files: prod,
        values: merge(
          orchestratorValuesFor('medusa', slugA, { smtp: relay, platformNamespace: nsPlatform }),
          nodeDns,
        ),
      });
      const storeBText = medusa.renderText({
        release: nsB,
        namespace: nsB,
        files: prod,
        values: merge(orchestratorValuesFor('medusa', slugB, { platformNamespace: nsPlatform }), nodeDns),
      });
      const platformText = platform.renderText({
        files: [join(REPO, 'charts/storefleet/values-prod.yaml')],
        // This cluster's API server listens on a port of its own (a VPS's on 6443, already allowed).
        values: {
          database: { postgresql: { enabled: true } },
          networkPolicy: { apiServerPorts: [443, API_SERVER_PORT] },
        },
      });
      const [storeA, storeB, platformObjects] = [parse(storeAText), parse(storeBText), parse(platformText)];

      const storeNs = (ns: string, storeId: string) => ({
        metadata: { name: ns, labels: storeLabels({ storeId, ownerId: 'merchant-1' } as StoreTarget) },
      });
      await Promise.all([
        core.createNamespace({ body: storeNs(nsA, `${id}-a`) }),
        core.createNamespace({ body: storeNs(nsB, `${id}-b`) }),
        core.createNamespace({ body: { metadata: { name: nsPlatform } } }),
        core.createNamespace({ body: { metadata: { name: nsOther } } }),
      ]);
      await Promise.all(
        [
          ...policies(storeAText).map((p) => [nsA, p] as const),
          ...policies(storeBText).map((p) => [nsB, p] as const),
          ...policies(platformText).map((p) => [nsPlatform, p] as const),
        ].map(([namespace, body]) => networking.createNamespacedNetworkPolicy({ namespace, body })),
      );

      // Services first: their addresses are what the probes dial.
      const labelsOf = { a: podLabels(storeA), b: podLabels(storeB), platform: podLabels(platformObjects) };
      const listening: StandIn[] = [
        { namespace: nsA, name: 'database', labels: labelsOf.a('database'), listen: 5432 },
        { namespace: nsA, name: 'storefront', labels: labelsOf.a('storefront'), listen: 8000 },
        { namespace: nsA, name: 'app', labels: labelsOf.a('app'), listen: 9000 },
        { namespace: nsB, name: 'database', labels: labelsOf.b('database'), listen: 5432 },
        { namespace: nsB, name: 'app', labels: labelsOf.b('app'), listen: 9000 },
        { namespace: nsPlatform, name: 'postgresql', labels: labelsOf.platform('postgresql'), listen: 5432 },
      ];
      const address = new Map<string, string>();
      await Promise.all(
        listening.map(async ({ namespace, name, labels, listen }) => {
          const ports = [{ port: listen!, targetPort: listen! }];
          const service = await core.createNamespacedService({
            namespace,
            body: { metadata: { name }, spec: { selector: { ...labels, [STAND_IN_LABEL]: name }, ports } },
          });
          address.set(`${namespace}/${name}`, service.spec!.clusterIP!);
        }),
      );
      const at = (ns: string, name: string, port: number, probe = name): Probe => ({
        name: probe,
        host: address.get(`${ns}/${name}`)!,
        port,
      });
      const dns = { name: 'dns', resolve: `database.${nsA}.svc.cluster.local` };
      // Store A's server listens (the ingress probes it) and probes.
      listening[2]!.probes = [
        at(nsA, 'database', 5432, 'own-database'),
        at(nsB, 'database', 5432, 'other-database'),
        at(nsB, 'app', 9000, 'other-app'),
        at(nsPlatform, 'postgresql', 5432, 'platform-database'),
        apiServer,
        { name: 'host-closed-port', host: GATEWAY, port: closed.port },
        { name: 'host-smtp-port', host: GATEWAY, port: smtp.port },
        dns,
        { name: 'dns-missing', resolve: `missing.${nsA}.svc.cluster.local` },
      ];
      const storefrontProbes = [at(nsA, 'database', 5432, 'own-database')];
      const fromIngress = [at(nsA, 'storefront', 8000), at(nsA, 'app', 9000), at(nsA, 'database', 5432)];
      const probers: StandIn[] = [
        listening[2]!,
        {
          namespace: nsA,
          name: 'storefront-prober',
          labels: labelsOf.a('storefront'),
          probes: storefrontProbes,
        },
        {
          namespace: nsB,
          name: 'worker',
          labels: labelsOf.b('worker'),
          probes: [{ name: 'host-smtp-port', host: GATEWAY, port: smtp.port }],
        },
        { namespace: INGRESS_NAMESPACE, name: `ingress-${id}`, labels: TRAEFIK, probes: fromIngress },
        { namespace: nsOther, name: 'outsider', labels: TRAEFIK, probes: fromIngress.slice(0, 2) },
        // An orchestrator's labels in a namespace that is not the platform's.
        {
          namespace: nsOther,
          name: 'impostor',
          labels: { 'app.kubernetes.io/component': 'orchestrator' },
          probes: [at(nsA, 'app', 9000, 'store-app')],
        },
        {
          namespace: nsPlatform,
          name: 'orchestrator',
          labels: labelsOf.platform('orchestrator'),
          probes: [
            at(nsPlatform, 'postgresql', 5432, 'platform-database'),
            apiServer,
            at(nsA, 'app', 9000, 'store-app'),
          ],
        },
      ];
      standIns.push(...listening, ...probers.slice(1));
      await Promise.all(
        standIns.map((s) => core.createNamespacedPod({ namespace: s.namespace, body: standInPod(s) })),
      );
      const ips = await Promise.all(standIns.map((s) => running(core, s)));
      for (const [i, s] of standIns.entries()) podIps.set(`${s.namespace}/${s.name}`, ips[i]!);
      // Trust only rounds that start once the enforcer has programmed every pod of a store or the platform.
      await until('the enforcer to program every stand-in', 60_000, async () =>
        standIns
          .filter((s) => s.namespace !== INGRESS_NAMESPACE && s.namespace !== nsOther)
          .every(firewallProgrammed)
          ? true
          : undefined,
      );
      const since = Math.floor(Date.now() / 1000) + 2;
      for (const prober of probers) results.set(prober.name, await readRound(core, prober, since));
      // The exit codes, for the log of the run: 0 answered; 1 refused; 143 timed out.
      console.log(JSON.stringify(Object.fromEntries(results)));
    }, 120_000);

    const outcome = (prober: string, probe: string) => {
      const code = results.get(prober)?.[probe];
      if (code === undefined) throw new Error(`no result of ${probe} from ${prober}`);
      return code === 0 ? 'connects' : 'is refused';
    };

    it("keeps a store's pods out of another store's database and app (control: its own database)", () => {
      expect(outcome('app', 'own-database')).toBe('connects');
      expect(outcome('app', 'other-database')).toBe('is refused');
      expect(outcome('app', 'other-app')).toBe('is refused');
      // Only the Medusa processes reach the database: the storefront is refused even in its own store.
      expect(outcome('storefront-prober', 'own-database')).toBe('is refused');
    });

    it("lets the ingress namespace reach a store's storefront and app, and nobody else", () => {
      expect(outcome(`ingress-${id}`, 'storefront')).toBe('connects');
      expect(outcome(`ingress-${id}`, 'app')).toBe('connects');
      expect(outcome(`ingress-${id}`, 'database')).toBe('is refused');
      expect(outcome('outsider', 'storefront')).toBe('is refused');
      expect(outcome('outsider', 'app')).toBe('is refused');
    });

    it("lets the platform's orchestrator, and no look-alike elsewhere, read a store's app", () => {
      expect(outcome('orchestrator', 'store-app')).toBe('connects');
      expect(outcome('impostor', 'store-app')).toBe('is refused');
    });

    it("keeps store pods out of the platform's database (control: the orchestrator reaches it)", () => {
      expect(outcome('orchestrator', 'platform-database')).toBe('connects');
      expect(outcome('app', 'platform-database')).toBe('is refused');
    });

    it('keeps store pods away from the API server (control: the orchestrator reaches it)', () => {
      expect(outcome('app', 'api-server')).toBe('is refused');
      expect(outcome('orchestrator', 'api-server')).toBe('connects');
    });

    it("closes egress to the host where the prod values say so, and opens the SMTP relay's port", () => {
      expect(outcome('app', 'host-closed-port')).toBe('is refused');
      expect(outcome('app', 'host-smtp-port')).toBe('connects');
      // Store B sends no e-mail: its worker is refused the same port.
      expect(outcome('worker', 'host-smtp-port')).toBe('is refused');
    });

    it("lets the host reach store pods whatever their policies say (kube-router admits the node's own addresses)", async () => {
      expect(await fromHost(nsA, 'app', 9000)).toBe('connects');
      expect(await fromHost(nsA, 'storefront', 8000)).toBe('connects');
      expect(await fromHost(nsA, 'database', 5432)).toBe('connects');
    });

    it('lets the Medusa processes resolve Service names (the node lets every pod reach its DNS)', () => {
      expect(outcome('app', 'dns')).toBe('connects');
      // The probe can fail: a name that does not exist is not resolved.
      expect(outcome('app', 'dns-missing')).toBe('is refused');
    });
  },
);
