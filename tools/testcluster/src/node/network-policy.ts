// The real node's NetworkPolicy enforcer: kube-router's firewall controller alone (no routing, no
// service proxy: the bridge plugin and kube-proxy keep doing those). It turns the policies into
// iptables chains (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) and ipsets (KUBE-SRC-*, KUBE-DST-*),
// which `removeEnforcerRules` takes away again without touching kube-proxy's or the CNI's chains.
//
// Why not SIG Network's kube-network-policies: it hands new connections to user space with nftables'
// `queue` expression, and this host's kernel is built without it (CONFIG_NFT_QUEUE unset, no modules);
// ipset, xt_set, physdev, conntrack, NFLOG and REJECT, all kube-router uses, are built in.
//
// What it means for traffic between the host and the pods (kube-router's pod firewall chains):
// - host → pod is always accepted (a rule for source addresses local to the node, there for the
//   kubelet's probes): Traefik, CoreDNS and the orchestrator on the host reach every pod;
// - pod → host goes through the pod's egress policies (the INPUT chain), so a store pod reaches the
//   host's 10.250.0.1 only where a policy lets it out (DNS, the SMTP port, the backup schedule's port),
//   except the NodePort range, which kube-router always lets through;
// - the node's DNS (CoreDNS on the host, 10.250.0.1:53) is no pod in kube-system: the store charts'
//   values-local.yaml name it in `networkPolicy.dnsCidrs`, so their DNS policies admit it.
import { type AdminApi, createIfAbsent } from '../admin-api.ts';
import { answers } from '../http.ts';
import type { ClusterLayout } from '../layout.ts';
import type { Log } from '../log.ts';
import { capture } from '../run.ts';
import { PINNED_VERSIONS } from '../versions.ts';
import { CLEAN_ENV, type NodeSpec } from './ingress-specs.ts';
import { NODE_NAME } from './node-layout.ts';

/** What `cluster.json`'s node record says enforces NetworkPolicies. */
export const NETWORK_POLICY_ENFORCER = `kube-router ${PINNED_VERSIONS['kube-router']} (firewall only)`;
export const ENFORCER_COMPONENT = 'kube-router';
/** The API server's --service-cluster-ip-range (control-plane.ts) and default NodePort range. */
export const SERVICE_CIDR = '10.96.0.0/16';
export const NODE_PORT_RANGE = '30000-32767';
const ENFORCER_ROLE = 'storefleet:network-policy-enforcer';

const CHAIN = /^KUBE-(ROUTER-(INPUT|FORWARD|OUTPUT)|POD-FW-|NWPLCY-)/;
const IPSET = /^(inet6:)?KUBE-(SRC|DST)-/;

export function enforcerArgs(kubeconfig: string, healthPort: number): string[] {
  return [
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    // The bridge plugin is the node's CNI; kube-router must not write a CNI config of its own.
    '--enable-cni=false',
    '--enable-ipv6=false',
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--service-node-port-range=${NODE_PORT_RANGE}`,
    `--health-port=${healthPort}`,
    '--metrics-port=0',
    '--iptables-sync-period=1m0s',
    '--v=1',
  ];
}

/** The enforcer runs as the node (the kubelet's identity), which RBAC lets read what it needs. */
export function enforcerSpec(binary: string, cluster: ClusterLayout, healthPort: number): NodeSpec {
  return {
    name: ENFORCER_COMPONENT,
    command: binary,
    args: enforcerArgs(cluster.kubeconfig('kubelet'), healthPort),
    env: CLEAN_ENV,
    ready: async () =>
      (await answers(`http://127.0.0.1:${healthPort}/healthz`)) && (await enforcerChainsPresent()),
    startTimeoutMs: 60_000,
  };
}

/** The Node authorizer lets a node read only its own pods: the enforcer needs all pods and policies. */
export async function grantEnforcerAccess(api: AdminApi): Promise<void> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  await createIfAbsent(api, `${rbac}/clusterroles`, {
    metadata: { name: ENFORCER_ROLE },
    rules: [
      {
        apiGroups: [''],
        resources: ['pods', 'namespaces', 'nodes', 'services', 'endpoints'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await createIfAbsent(api, `${rbac}/clusterrolebindings`, {
    metadata: { name: ENFORCER_ROLE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ENFORCER_ROLE },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `system:node:${NODE_NAME}` }],
  });
}

export async function enforcerChainsPresent(): Promise<boolean> {
  const saved = await capture('iptables-save', ['-t', 'filter']).catch(() => '');
  return saved.split('\n').some((line) => line.startsWith(':KUBE-ROUTER-FORWARD '));
}

/** iptables-restore --noflush input that deletes the enforcer's jumps, then flushes and deletes its chains. */
export function enforcerRemoval(saved: string): string | undefined {
  const lines = saved.split('\n');
  const chains = lines
    .filter((line) => line.startsWith(':'))
    .map((line) => line.slice(1).split(' ')[0]!)
    .filter((name) => CHAIN.test(name));
  if (chains.length === 0) return undefined;
  const jumps = lines.filter((line) => {
    if (!line.startsWith('-A ')) return false;
    const chain = line.split(' ')[1]!;
    const target = / -[jg] (\S+)/.exec(line)?.[1] ?? '';
    return !CHAIN.test(chain) && CHAIN.test(target);
  });
  return [
    '*filter',
    ...jumps.map((line) => `-D${line.slice(2)}`),
    ...chains.map((chain) => `-F ${chain}`),
    ...chains.map((chain) => `-X ${chain}`),
    'COMMIT',
    '',
  ].join('\n');
}

/** Removes the enforcer's chains and ipsets (after the process stopped). Safe to run more than once. */
export async function removeEnforcerRules(log: Log): Promise<void> {
  let removed = 0;
  for (const [save, restore] of [
    ['iptables-save', 'iptables-restore'],
    ['ip6tables-save', 'ip6tables-restore'],
  ] as const) {
    const input = enforcerRemoval(await capture(save, ['-t', 'filter']).catch(() => ''));
    if (!input) continue;
    await capture(restore, ['--noflush'], { input });
    removed++;
  }
  const sets = await enforcerIpsets();
  for (const set of sets) await capture('ipset', ['destroy', set]).catch(() => {});
  if (removed > 0 || sets.length > 0)
    log(`removed the NetworkPolicy enforcer's chains and ${sets.length} ipsets`);
}

export async function enforcerIpsets(): Promise<string[]> {
  const names = await capture('ipset', ['list', '-n']).catch(() => '');
  return names
    .split('\n')
    .filter((name) => IPSET.test(name.trim()))
    .map((name) => name.trim());
}

/** What the enforcer would leave on the host; empty after `removeEnforcerRules`. */
export async function enforcerLeftovers(): Promise<string[]> {
  const left: string[] = [];
  if (await enforcerChainsPresent()) left.push("the NetworkPolicy enforcer's iptables chains");
  const sets = await enforcerIpsets();
  if (sets.length > 0) left.push(`${sets.length} ipsets (${sets[0]}…)`);
  return left;
}
