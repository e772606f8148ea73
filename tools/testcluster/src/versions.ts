// The versions the test cluster is pinned to. Kubernetes' staging modules (k8s.io/api, client-go, …)
// are published as v0.<minor>.<patch> of the same release.
export const PINNED_VERSIONS = {
  kubernetes: 'v1.34.4',
  etcd: 'v3.6.16',
  kwok: 'v0.8.0',
  helm: 'v4.3.1',
  /** kubelet and kube-proxy: the same release as the control plane. */
  'kubernetes-node': 'v1.34.4',
  coredns: 'v1.15.0',
  /** v3.7 replaces a nested module that the Go module proxy does not serve. */
  traefik: 'v3.6.12',
  /** The mail catcher `npm start` and the real-node tests give the stores as their SMTP relay. */
  mailpit: 'v1.33.1',
  /**
   * The real node's NetworkPolicy enforcer: its firewall controller alone (iptables + ipset). The only
   * release on the Go module proxy; kube-network-policies needs nftables' `queue`, which this kernel lacks.
   */
  'kube-router': 'v2.1.0',
} as const;

/** Go ≥ 1.26: etcd 3.6.16, kwok 0.8.0, helm 4.3.1 and mailpit 1.33.1 all declare `go 1.26.0`. */
export const MIN_GO_VERSION = [1, 26] as const;
