// The files of one cluster directory.
import { join } from 'node:path';
import type { ClientIdentity } from './pki.ts';

export interface ClusterLayout {
  dir: string;
  /** Written first: marks the directory as a test cluster's, so `down` may delete it. */
  state: string;
  adminKubeconfig: string;
  pki: string;
  logs: string;
  pids: string;
  etcdData: string;
  apiserverCerts: string;
  kwokConfig: string;
  kubeconfig(identity: ClientIdentity): string;
  pkiFile(name: string): string;
  log(component: string): string;
}

export function clusterLayout(dir: string): ClusterLayout {
  return {
    dir,
    state: join(dir, 'cluster.json'),
    adminKubeconfig: join(dir, 'admin.kubeconfig'),
    pki: join(dir, 'pki'),
    logs: join(dir, 'logs'),
    pids: join(dir, 'pids'),
    etcdData: join(dir, 'etcd'),
    apiserverCerts: join(dir, 'apiserver-certs'),
    kwokConfig: join(dir, 'kwok.yaml'),
    kubeconfig: (identity) => join(dir, `${identity}.kubeconfig`),
    pkiFile: (name) => join(dir, 'pki', name),
    log: (component) => join(dir, 'logs', `${component}.log`),
  };
}
