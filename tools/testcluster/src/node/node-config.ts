// The real node's configuration files, rendered from its layout and ports. Pure text, so the quirks
// of this host kind that each setting answers are tested without a node.
import { type AcmeLayout, traefikAcmeArgs } from './acme.ts';
import {
  BRIDGE,
  CGROUP_ROOT,
  GATEWAY,
  NODE_LABEL,
  NODE_NAME,
  type NodeLayout,
  POD_SUBNET,
} from './node-layout.ts';

export interface NodePorts {
  kubeletHealthz: number;
  kubelet: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
  corednsHealth: number;
  corednsReady: number;
  ingress: number;
  traefikPing: number;
  /** Traefik's https entry point and the ACME server beside it (acme.ts). */
  ingressTls: number;
  pebble: number;
  pebbleManagement: number;
  challDns: number;
  challManagement: number;
}

export const NODE_PORT_NAMES = [
  'kubeletHealthz',
  'kubelet',
  'kubeProxyHealthz',
  'kubeProxyMetrics',
  'corednsHealth',
  'corednsReady',
  'ingress',
  'traefikPing',
  'ingressTls',
  'pebble',
  'pebbleManagement',
  'challDns',
  'challManagement',
] as const satisfies readonly (keyof NodePorts)[];

export const PAUSE_IMAGE = 'storefleet.local/pause:3.10';

export function containerdConfig(layout: NodeLayout, cniBinDir: string): string {
  return `version = 2
root = "${layout.containerdRoot}"
state = "${layout.containerdState}"
# Snapshotters this host cannot use only log errors at start-up.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${layout.containerdSocket}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # The root shell here lacks CAP_SYS_RESOURCE: without this every sandbox fails to start
  # ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${layout.runcRoot}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${cniBinDir}"
    conf_dir = "${layout.cniConfDir}"
`;
}

export function cniConfig(layout: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'storefleet',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: layout.cniIpamDir,
            ranges: [[{ subnet: POD_SUBNET, gateway: GATEWAY }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(layout: NodeLayout, ports: NodePorts, caFile: string): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: GATEWAY,
    port: ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: ports.kubeletHealthz,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: caFile },
    },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    // cgroup v1 only (hybrid layout, no v2 controllers): cgroupfs, and v1 must be allowed explicitly.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    cgroupRoot: `/${CGROUP_ROOT}`,
    clusterDNS: [GATEWAY],
    clusterDomain: 'cluster.local',
    resolvConf: layout.resolvConf,
    // Images are imported, never pulled: collecting one would break every pod that needs it.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
    maxPods: 110,
    registerWithTaints: [{ key: NODE_LABEL.key, value: NODE_LABEL.value, effect: 'NoSchedule' }],
    serializeImagePulls: false,
    failSwapOn: false,
    // The host's sysctls belong to the host; a test node changes only what it records.
    protectKernelDefaults: false,
    makeIPTablesUtilChains: true,
    rotateCertificates: false,
    serverTLSBootstrap: false,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function kubeletArgs(layout: NodeLayout, kubeconfig: string): string[] {
  return [
    `--config=${layout.kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${layout.kubeletRoot}`,
    `--cert-dir=${layout.kubeletCerts}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${GATEWAY}`,
    `--node-labels=${NODE_LABEL.key}=${NODE_LABEL.value}`,
    '--v=1',
  ];
}

export function kubeProxyConfig(ports: NodePorts, kubeconfig: string): string {
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: NODE_NAME,
    clusterCIDR: POD_SUBNET,
    bindAddress: GATEWAY,
    healthzBindAddress: `127.0.0.1:${ports.kubeProxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${ports.kubeProxyMetrics}`,
    // Leave the host's conntrack table size alone.
    conntrack: { maxPerCore: 0, min: 0 },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** CoreDNS on the bridge's gateway: Service and pod names of the cluster, nothing forwarded (no internet). */
export function corefile(ports: NodePorts, kubeconfig: string): string {
  return `.:53 {
    bind ${GATEWAY}
    errors
    health 127.0.0.1:${ports.corednsHealth}
    ready 127.0.0.1:${ports.corednsReady}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`;
}

/** With `acme`, an https entry point whose certificates come from the node's Pebble. */
export function traefikArgs(
  ports: Pick<
    NodePorts,
    'ingress' | 'traefikPing' | 'ingressTls' | 'pebble' | 'pebbleManagement' | 'challDns' | 'challManagement'
  >,
  acme?: AcmeLayout,
): string[] {
  return [
    ...(acme ? traefikAcmeArgs(acme, ports) : []),
    `--entryPoints.web.address=127.0.0.1:${ports.ingress}`,
    `--entryPoints.traefik.address=127.0.0.1:${ports.traefikPing}`,
    '--ping=true',
    '--ping.entryPoint=traefik',
    '--providers.kubernetesingress=true',
    '--providers.kubernetesingress.ingressclass=traefik',
    // The orchestrator runs on the host here: it publishes itself as the ingress's default backend
    // (asleep stores' pages) through an ExternalName Service naming its loopback address.
    '--providers.kubernetesingress.allowExternalNameServices=true',
    // Requests per Service on the ping entry point's /metrics: idle sleep measures store traffic there.
    '--metrics.prometheus=true',
    '--metrics.prometheus.entryPoint=traefik',
    '--metrics.prometheus.addServicesLabels=true',
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    '--log.level=INFO',
  ];
}
