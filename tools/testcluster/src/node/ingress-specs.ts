// The node's ingress processes: Traefik, and beside it the ACME server (Pebble) and its DNS
// (challtestsrv) when the host has them. Shared by a fresh node (node.ts) and by adding the ACME
// server to a node that runs without it (acme-upgrade.ts).
import type { NodeBinaries } from '../binaries.ts';
import { answers, request } from '../http.ts';
import type { ClusterLayout } from '../layout.ts';
import type { ProcessSpec } from '../processes.ts';
import {
  type AcmeLayout,
  type AcmePorts,
  CHALLTESTSRV_BIN,
  challtestsrvArgs,
  PEBBLE_BIN,
  PEBBLE_ENV,
  pebbleArgs,
  traefikAcmeEnv,
} from './acme.ts';
import { type NodePorts, traefikArgs } from './node-config.ts';

export interface NodeSpec extends ProcessSpec {
  ready: () => Promise<boolean>;
  startTimeoutMs: number;
}

/** Components never inherit a KUBECONFIG or an in-cluster identity of the machine they run on. */
export const CLEAN_ENV = { KUBECONFIG: null, KUBERNETES_SERVICE_HOST: null, KUBERNETES_SERVICE_PORT: null };

export type IngressPorts = Pick<NodePorts, 'ingress' | 'traefikPing'> & AcmePorts;

const local = (port: number, path: string) => () => answers(`http://127.0.0.1:${port}${path}`);

/** challtestsrv, then Pebble (which resolves names through it). */
export function acmeSpecs(acme: AcmeLayout, ports: AcmePorts): NodeSpec[] {
  return [
    {
      name: 'challtestsrv',
      command: CHALLTESTSRV_BIN,
      args: challtestsrvArgs(ports),
      env: CLEAN_ENV,
      // Its management API has no health path; a query of its history answers once it listens.
      ready: () =>
        request(`http://127.0.0.1:${ports.challManagement}/dns-request-history`, {
          method: 'POST',
          body: { host: 'ready.storefleet.test' },
        }).then(
          (response) => response.status === 200,
          () => false,
        ),
      startTimeoutMs: 30_000,
    },
    {
      name: 'pebble',
      command: PEBBLE_BIN,
      args: pebbleArgs(acme, ports),
      env: { ...CLEAN_ENV, ...PEBBLE_ENV },
      ready: () => answers(`https://127.0.0.1:${ports.pebble}/dir`),
      startTimeoutMs: 30_000,
    },
  ];
}

export function traefikSpec(
  binaries: Pick<NodeBinaries, 'traefik'>,
  cluster: ClusterLayout,
  ports: IngressPorts,
  acme: AcmeLayout | undefined,
): NodeSpec {
  return {
    name: 'traefik',
    command: binaries.traefik,
    args: traefikArgs(ports, acme),
    env: { ...CLEAN_ENV, KUBECONFIG: cluster.adminKubeconfig, ...(acme ? traefikAcmeEnv(acme) : {}) },
    ready: local(ports.traefikPing, '/ping'),
    startTimeoutMs: 60_000,
  };
}
