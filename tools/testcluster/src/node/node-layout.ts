// The real node's files, all under `<cluster>/node`, and the fixed facts of its network.
import { join } from 'node:path';

export const NODE_NAME = 'storefleet-node';
/** The label and taint that keep pods that did not ask for the real node off it (and vice versa). */
export const NODE_LABEL = { key: 'storefleet.io/node', value: 'real' } as const;
export const BRIDGE = 'sf0';
export const POD_SUBNET = '10.250.0.0/24';
/** The bridge's address: the pods' gateway, the node's IP, and where CoreDNS answers. */
export const GATEWAY = '10.250.0.1';
/** kubelet's cgroup root, created in every cgroup v1 hierarchy. */
export const CGROUP_ROOT = 'storefleet';
export const INGRESS_CLASS = 'traefik';
/** One real node per machine: the claim names the cluster directory that owns it. */
export const CLAIM_FILE = '/run/storefleet/real-node.json';

export interface NodeLayout {
  dir: string;
  hostChanges: string;
  containerdConfig: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  runcRoot: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletCerts: string;
  kubeProxyConfig: string;
  corefile: string;
  resolvConf: string;
}

export function nodeLayout(clusterDir: string): NodeLayout {
  const dir = join(clusterDir, 'node');
  return {
    dir,
    hostChanges: join(dir, 'host-changes.json'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdSocket: join(dir, 'containerd', 'containerd.sock'),
    runcRoot: join(dir, 'runc'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletCerts: join(dir, 'kubelet-certs'),
    kubeProxyConfig: join(dir, 'kube-proxy.yaml'),
    corefile: join(dir, 'Corefile'),
    resolvConf: join(dir, 'resolv.conf'),
  };
}
