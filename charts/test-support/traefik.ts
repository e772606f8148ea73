// Traefik as k3s runs it (its Kubernetes CRD provider beside the Ingress one), against the test
// cluster: the same Traefik binary as the real node's, started for one test file and confined to one
// namespace and one IngressClass of its own, so the node's Traefik (Ingress provider only) and other
// tests never see what it routes. Traefik's CRDs (from the same module the binary is built from, on
// the Go module proxy) go into the cluster first.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { resolveNodeBinaries } from '../../tools/testcluster/src/binaries.ts';
import { freePorts } from '../../tools/testcluster/src/ports.ts';
import { PINNED_VERSIONS } from '../../tools/testcluster/src/versions.ts';
import { goModuleFile } from './go-module-file.ts';

const CRD_PATH = 'docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml';
/** The controller name Traefik's Ingress provider takes IngressClasses of. */
export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';

/** Installs Traefik's CRDs (once per cluster; the CRD provider watches all of them) and waits until served. */
export async function installTraefikCrds(admin: KubeConfig): Promise<void> {
  const api = admin.makeApiClient(ApiextensionsV1Api);
  // Into the client's models, so that `x-kubernetes-int-or-string` survives its serializer.
  const module = `github.com/traefik/traefik/v3@${PINNED_VERSIONS.traefik}`;
  const crds = loadAllYaml(await goModuleFile(module, CRD_PATH)) as V1CustomResourceDefinition[];
  for (const body of crds) {
    try {
      await api.createCustomResourceDefinition({ body });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const current = await api.readCustomResourceDefinition({ name });
      if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`${name} was not established within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export interface RunningTraefik {
  httpPort: number;
  httpsPort: number;
  log: () => string;
  stop: () => Promise<void>;
}

/** The Traefik binary the real node runs, or undefined where none was built. */
export async function traefikBinary(): Promise<string | undefined> {
  return resolveNodeBinaries({ build: false }).then(
    (binaries) => binaries.traefik,
    () => undefined,
  );
}

/** Starts Traefik with entry points `web` and `websecure` (its default certificate) on free ports. */
export async function startTraefik(options: {
  binary: string;
  kubeconfig: string;
  namespace: string;
  ingressClass: string;
}): Promise<RunningTraefik> {
  const [httpPort, httpsPort, pingPort] = (await freePorts(3)) as [number, number, number];
  const args = [
    `--entryPoints.web.address=127.0.0.1:${httpPort}`,
    `--entryPoints.websecure.address=127.0.0.1:${httpsPort}`,
    '--entryPoints.websecure.http.tls=true',
    `--entryPoints.traefik.address=127.0.0.1:${pingPort}`,
    '--ping=true',
    '--ping.entryPoint=traefik',
    '--providers.kubernetesingress=true',
    `--providers.kubernetesingress.ingressclass=${options.ingressClass}`,
    `--providers.kubernetesingress.namespaces=${options.namespace}`,
    '--providers.kubernetesingress.allowExternalNameServices=true',
    '--providers.kubernetescrd=true',
    `--providers.kubernetescrd.namespaces=${options.namespace}`,
    '--providers.kubernetescrd.allowExternalNameServices=true',
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    '--log.level=DEBUG',
  ];
  let output = '';
  const child: ChildProcess = spawn(options.binary, args, {
    env: { PATH: process.env.PATH, KUBECONFIG: options.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${pingPort}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Traefik did not start: ${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { httpPort, httpsPort, log: () => output, stop };
}
