import { describe, expect, it } from 'vitest';
import type { Binaries } from '../src/binaries.ts';
import { fakeNode, PROVISIONED_DIR, STANDARD_STORAGE_CLASS } from '../src/bootstrap.ts';
import { type ClusterPorts, COMPONENTS, componentSpecs } from '../src/components.ts';
import { concatenateStages } from '../src/kwok-stages.ts';
import { clusterLayout } from '../src/layout.ts';

const ports: ClusterPorts = {
  etcdClient: 1001,
  etcdPeer: 1002,
  etcdMetrics: 1003,
  apiServer: 1004,
  controllerManager: 1005,
  scheduler: 1006,
  kwok: 1007,
};
const binaries: Binaries = {
  etcd: '/bin/etcd',
  kubeApiserver: '/bin/kube-apiserver',
  kubeControllerManager: '/bin/kube-controller-manager',
  kubeScheduler: '/bin/kube-scheduler',
  kwok: '/bin/kwok',
  kwokStages: '/share/stages.yaml',
};
const specs = componentSpecs(clusterLayout('/c'), ports, binaries);
const spec = (name: string) => specs.find((s) => s.name === name)!;

describe('component command lines', () => {
  it('starts every component in order: etcd, the apiserver, then the rest', () => {
    expect(specs.map((s) => s.name)).toEqual([...COMPONENTS]);
    expect(spec('etcd').command).toBe('/bin/etcd');
  });

  it('keeps everything on 127.0.0.1 and on the picked ports', () => {
    const all = specs.flatMap((s) => s.args).join(' ');
    expect(all).not.toMatch(/0\.0\.0\.0/);
    expect(spec('etcd').args).toContain('--listen-client-urls=http://127.0.0.1:1001');
    expect(spec('kube-apiserver').args).toContain('--etcd-servers=http://127.0.0.1:1001');
    expect(spec('kube-apiserver').args).toContain('--secure-port=1004');
    expect(spec('kube-apiserver').health).toEqual({ url: 'https://127.0.0.1:1004/readyz', tls: 'admin' });
    expect(spec('kwok').health.url).toBe('http://127.0.0.1:1007/healthz');
  });

  it('authorizes with Node,RBAC and keeps the default admission plugins', () => {
    const args = spec('kube-apiserver').args;
    expect(args).toContain('--authorization-mode=Node,RBAC');
    expect(args.some((arg) => arg.includes('admission-plugins'))).toBe(false);
    expect(args).toContain('--service-account-signing-key-file=/c/pki/sa.key');
    expect(args).toContain('--endpoint-reconciler-type=none');
  });

  it('runs the controller manager with the host-path provisioner and without leader election', () => {
    const args = spec('kube-controller-manager').args;
    expect(args).toContain('--enable-hostpath-provisioner=true');
    expect(args).toContain('--leader-elect=false');
    expect(args).toContain('--kubeconfig=/c/kube-controller-manager.kubeconfig');
    expect(spec('kube-scheduler').args).toContain('--leader-elect=false');
  });

  it('isolates kwok from ~/.kwok and gives it a large pod range', () => {
    expect(spec('kwok').env).toEqual({ HOME: '/c' });
    expect(spec('kwok').args).toContain('--cidr=10.244.0.0/16');
    expect(spec('kwok').args).toContain('--config=/c/kwok.yaml');
    expect(spec('kwok').args).toContain('--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake');
  });
});

describe('bootstrap objects', () => {
  it('makes untainted kwok nodes with room for real workloads', () => {
    const node = fakeNode('kwok-node-0') as {
      metadata: { annotations: object };
      spec?: unknown;
      status: object;
    };
    expect(node.metadata.annotations).toMatchObject({ 'kwok.x-k8s.io/node': 'fake' });
    expect(node.spec).toBeUndefined();
    expect(node.status).toEqual({
      allocatable: { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      capacity: { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' },
    });
  });

  it('makes standard the default StorageClass', () => {
    expect(STANDARD_STORAGE_CLASS.metadata.annotations).toEqual({
      'storageclass.kubernetes.io/is-default-class': 'true',
    });
    expect(STANDARD_STORAGE_CLASS.provisioner).toBe('kubernetes.io/host-path');
  });

  it('recognises only the provisioner’s own volume directories', () => {
    expect(PROVISIONED_DIR.test('/tmp/hostpath_pv/0df55690-bd78-4062-8f56-5906423d286c')).toBe(true);
    expect(PROVISIONED_DIR.test('/tmp/hostpath_pv/../etc')).toBe(false);
    expect(PROVISIONED_DIR.test('/srv/data')).toBe(false);
  });

  it('joins the kwok stages into one multi-document file', () => {
    expect(concatenateStages(['a: 1\n', 'b: 2'])).toBe('---\na: 1\n---\nb: 2\n');
  });
});
