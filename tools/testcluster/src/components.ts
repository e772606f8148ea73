// The command line of each control-plane process. Every flag here was needed for a quiet, working
// cluster on 127.0.0.1 (see NOTES-build.md for the reasons behind the less obvious ones).
import type { Binaries } from './binaries.ts';
import type { ClusterLayout } from './layout.ts';

export const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export const SERVICE_CIDR = '10.96.0.0/16';
/** kwok's default (10.0.0.0/24) runs out after about 254 pods. */
export const POD_CIDR = '10.244.0.0/16';

export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  etcdMetrics: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export const PORT_NAMES = [
  'etcdClient',
  'etcdPeer',
  'etcdMetrics',
  'apiServer',
  'controllerManager',
  'scheduler',
  'kwok',
] as const satisfies readonly (keyof ClusterPorts)[];

export interface HealthCheck {
  url: string;
  /** `admin`: verify the server and present the admin client certificate; `insecure`: any server certificate. */
  tls: 'none' | 'insecure' | 'admin';
}

export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
  /** Added to the inherited environment. */
  env: Record<string, string | null>;
  health: HealthCheck;
  startTimeoutMs: number;
}

export function apiServerUrl(ports: ClusterPorts): string {
  return `https://127.0.0.1:${ports.apiServer}`;
}

/**
 * `nodeAddress`: the real node's bridge address. Pods reach the API server there, through the
 * `kubernetes` Service (an in-cluster orchestrator needs it); without a real node it stays on loopback.
 */
export function componentSpecs(
  layout: ClusterLayout,
  ports: ClusterPorts,
  binaries: Binaries,
  nodeAddress?: string,
): ComponentSpec[] {
  const pki = layout.pkiFile;
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const kubeconfigFlags = (file: string) => [
    `--kubeconfig=${file}`,
    `--authentication-kubeconfig=${file}`,
    `--authorization-kubeconfig=${file}`,
  ];
  return [
    {
      name: 'etcd',
      command: binaries.etcd,
      args: [
        '--name=node0',
        `--data-dir=${layout.etcdData}`,
        `--listen-client-urls=${local(ports.etcdClient)}`,
        `--advertise-client-urls=${local(ports.etcdClient)}`,
        `--listen-peer-urls=${local(ports.etcdPeer)}`,
        `--initial-advertise-peer-urls=${local(ports.etcdPeer)}`,
        `--initial-cluster=node0=${local(ports.etcdPeer)}`,
        `--listen-metrics-urls=${local(ports.etcdMetrics)}`,
        '--auto-compaction-retention=1',
        `--quota-backend-bytes=${2 * 1024 ** 3}`,
        // Throw-away data: skipping fsync makes every write much faster.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      env: {},
      health: { url: `${local(ports.etcdClient)}/health`, tls: 'none' },
      startTimeoutMs: 30_000,
    },
    {
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: [
        `--etcd-servers=${local(ports.etcdClient)}`,
        ...(nodeAddress
          ? // Every address, so that the bridge's is one; the `kubernetes` Service's endpoint is the bridge's.
            [
              '--bind-address=0.0.0.0',
              `--advertise-address=${nodeAddress}`,
              '--endpoint-reconciler-type=lease',
            ]
          : // A loopback address is not a valid endpoint; the `kubernetes` Service simply has none.
            ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none']),
        `--secure-port=${ports.apiServer}`,
        `--cert-dir=${layout.apiserverCerts}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--requestheader-client-ca-file=${pki('front-proxy-ca.crt')}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
        `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
        // Logs and exec on a real node's pods: the kubelet accepts only authenticated callers.
        `--kubelet-client-certificate=${pki('admin.crt')}`,
        `--kubelet-client-key=${pki('admin.key')}`,
        // The node's name does not resolve on the host; its bridge address does.
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        // Admission plugins are left at their defaults (NamespaceLifecycle, LimitRanger, ResourceQuota, …).
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        '--profiling=false',
      ],
      env: {},
      health: { url: `${apiServerUrl(ports)}/readyz`, tls: 'admin' },
      startTimeoutMs: 120_000,
    },
    {
      name: 'kube-controller-manager',
      command: binaries.kubeControllerManager,
      args: [
        ...kubeconfigFlags(layout.kubeconfig('kube-controller-manager')),
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.controllerManager}`,
        '--leader-elect=false',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki('sa.key')}`,
        `--root-ca-file=${pki('ca.crt')}`,
        `--cluster-signing-cert-file=${pki('ca.crt')}`,
        `--cluster-signing-key-file=${pki('ca.key')}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--enable-hostpath-provisioner=true',
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        '--profiling=false',
      ],
      env: {},
      health: { url: `https://127.0.0.1:${ports.controllerManager}/healthz`, tls: 'insecure' },
      startTimeoutMs: 60_000,
    },
    {
      name: 'kube-scheduler',
      command: binaries.kubeScheduler,
      args: [
        ...kubeconfigFlags(layout.kubeconfig('kube-scheduler')),
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        '--profiling=false',
      ],
      env: {},
      health: { url: `https://127.0.0.1:${ports.scheduler}/healthz`, tls: 'insecure' },
      startTimeoutMs: 60_000,
    },
    {
      name: 'kwok',
      command: binaries.kwok,
      args: [
        `--kubeconfig=${layout.kubeconfig('kwok')}`,
        `--config=${layout.kwokConfig}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-lease-duration-seconds=40',
        `--cidr=${POD_CIDR}`,
        '--node-ip=127.0.0.1',
        // Without TLS flags this is a plain-HTTP server; only /healthz is used.
        `--server-address=127.0.0.1:${ports.kwok}`,
      ],
      // kwok always loads ~/.kwok/kwok.yaml first if it exists: keep a developer's own set-up out.
      env: { HOME: layout.dir },
      health: { url: `http://127.0.0.1:${ports.kwok}/healthz`, tls: 'none' },
      startTimeoutMs: 60_000,
    },
  ];
}
