// Stand-in pods for NetworkPolicy tests on the real node: each may listen on a port (busybox httpd)
// and may probe other addresses in rounds (an HTTP GET, `nslookup`), printing one exit code per probe:
// 0 only when the answer came back (busybox's nc has no -z, and a bare connect proves less).
// A round is trusted only once the enforcer has programmed every pod's firewall chain.

import { execFileSync } from 'node:child_process';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { NODE_LABEL } from '../../../../tools/testcluster/src/node/node-layout.ts';
import { until } from './until.ts';

const BUSYBOX = 'storefleet.local/busybox:1.35';
/** Added to the workload's labels, so that a stand-in's Service selects it alone. */
export const STAND_IN_LABEL = 'storefleet.test/stand-in';

export type Probe =
  | {
      name: string;
      host: string;
      port: number;
      /** `https`: a GET of /healthz over TLS, any certificate (the API server's answer to anyone). */
      scheme?: 'http' | 'https';
    }
  | { name: string; resolve: string };

export interface StandIn {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The port it listens on (and a Service of the same name exposes). */
  listen?: number;
  probes?: Probe[];
}

function probeLine(probe: Probe): string {
  const command =
    'resolve' in probe
      ? `timeout 5 nslookup ${probe.resolve} >/dev/null 2>&1`
      : probe.scheme === 'https'
        ? `timeout 3 wget -q -O /dev/null --no-check-certificate https://${probe.host}:${probe.port}/healthz >/dev/null 2>&1`
        : `timeout 3 wget -q -O /dev/null http://${probe.host}:${probe.port}/ >/dev/null 2>&1`;
  return `${command}; echo "probe $t ${probe.name} $?"`;
}

export function standInScript(standIn: StandIn): string {
  const listen = standIn.listen
    ? `mkdir -p /www && echo ok > /www/index.html && httpd -p ${standIn.listen} -h /www; `
    : '';
  const probes = standIn.probes ?? [];
  if (probes.length === 0) return `${listen}exec sleep 3600`;
  return (
    `${listen}while true; do t=$(date +%s); echo "round $t"; ` +
    `${probes.map(probeLine).join('; ')}; echo "end $t"; sleep 1; done`
  );
}

export function standInPod(standIn: StandIn): V1Pod {
  return {
    metadata: {
      name: standIn.name,
      namespace: standIn.namespace,
      labels: { ...standIn.labels, [STAND_IN_LABEL]: standIn.name },
    },
    spec: {
      nodeSelector: { [NODE_LABEL.key]: NODE_LABEL.value },
      tolerations: [
        { key: NODE_LABEL.key, operator: 'Equal', value: NODE_LABEL.value, effect: 'NoSchedule' },
      ],
      terminationGracePeriodSeconds: 0,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'stand-in',
          image: BUSYBOX,
          imagePullPolicy: 'Never',
          command: ['sh', '-c', standInScript(standIn)],
        },
      ],
    },
  };
}

/** Waits for the pod to run; returns its IP. */
export function running(core: CoreV1Api, standIn: StandIn, timeoutMs = 60_000): Promise<string> {
  return until(`${standIn.namespace}/${standIn.name} to run`, timeoutMs, async () => {
    const pod = await core.readNamespacedPod({ name: standIn.name, namespace: standIn.namespace });
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')
      throw new Error(`${standIn.name} ended: ${pod.status.phase}`);
    return pod.status?.phase === 'Running' && pod.status.podIP ? pod.status.podIP : undefined;
  });
}

/** Whether the enforcer's iptables rules jump to this pod's firewall chain (kube-router's comments). */
export function firewallProgrammed(standIn: StandIn): boolean {
  const saved = execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' });
  return saved.includes(`POD name:${standIn.name} namespace: ${standIn.namespace} `);
}

/** Whether kube-router's firewall runs on this host (its chains are in the filter table). */
export function enforcerRuns(): boolean {
  try {
    return execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }).includes(
      ':KUBE-ROUTER-FORWARD ',
    );
  } catch {
    return false;
  }
}

/** Exit codes of the first complete round that started at or after `since` (epoch seconds). */
export function roundAfter(logs: string, since: number): Record<string, number> | undefined {
  let current: { t: number; results: Record<string, number> } | undefined;
  for (const line of logs.split('\n')) {
    const [word, time, name, code] = line.trim().split(' ');
    if (word === 'round') current = { t: Number(time), results: {} };
    else if (word === 'probe' && current && name) current.results[name] = Number(code);
    else if (word === 'end' && current && Number(time) === current.t && current.t >= since)
      return current.results;
  }
  return undefined;
}

export function readRound(core: CoreV1Api, standIn: StandIn, since: number): Promise<Record<string, number>> {
  return until(`a round of probes by ${standIn.name} after the enforcer caught up`, 60_000, async () => {
    const logs = await core.readNamespacedPodLog({ name: standIn.name, namespace: standIn.namespace });
    return roundAfter(String(logs), since);
  });
}
