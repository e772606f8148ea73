// A real node started by code from before the ACME server (Pebble) existed gets it in place when `up`
// finds the cluster healthy: challtestsrv and Pebble start beside Traefik, Traefik restarts on the same
// ports with its https entry point (a blip of a second or two for the stores), and images whose recipes
// changed are built and imported; every later `up` on a healthy cluster brings changed images too.
// Nothing else of the cluster (its stores among them) moves.
import { readFile, writeFile } from 'node:fs/promises';
import type { NodeBinaries } from '../binaries.ts';
import type { ClusterLayout } from '../layout.ts';
import type { Log } from '../log.ts';
import { freePorts } from '../ports.ts';
import { readProcessRecords, stopProcesses } from '../processes.ts';
import { type AcmePorts, acmeInfo, acmeLayout, acmeUnavailable, writeAcmeFiles } from './acme.ts';
import { importImages } from './images.ts';
import { acmeSpecs, traefikSpec } from './ingress-specs.ts';
import { launch, type RealNodeInfo } from './node.ts';
import { nodeLayout } from './node-layout.ts';

/** The node with its ACME server added, or as it was (with the reason) when the host has none. */
export async function addAcmeToRunningNode(
  cluster: ClusterLayout,
  node: RealNodeInfo,
  binaries: Pick<NodeBinaries, 'traefik'>,
  log: Log,
): Promise<RealNodeInfo> {
  if (node.acme) return node;
  const unavailable = acmeUnavailable();
  if (unavailable) return { ...node, acmeUnavailable: unavailable };
  log('the real node runs without an ACME server: adding Pebble and Traefik’s https entry point in place');
  const traefikPing = Number(new URL(node.ingressMetricsUrl).port);
  const [ingressTls, pebble, pebbleManagement, challDns, challManagement] = await freePorts(5);
  const acmePorts: AcmePorts = {
    ingress: node.ingressPort,
    ingressTls: ingressTls!,
    pebble: pebble!,
    pebbleManagement: pebbleManagement!,
    challDns: challDns!,
    challManagement: challManagement!,
  };
  const layout = acmeLayout(cluster.dir);
  await writeAcmeFiles(layout, acmePorts);
  for (const spec of acmeSpecs(layout, acmePorts)) await launch(spec, cluster, log);
  const traefik = (await readProcessRecords(cluster.pids)).filter((record) => record.name === 'traefik');
  await stopProcesses(traefik, log);
  await launch(traefikSpec(binaries, cluster, { ...acmePorts, traefikPing }, layout), cluster, log);
  const images = await importImages(nodeLayout(cluster.dir).containerdSocket, log);
  log(`https://<name>.localhost:${ingressTls} now answers with certificates from Pebble`);
  return {
    ...node,
    ingressTlsPort: ingressTls!,
    acme: acmeInfo(layout, acmePorts, cluster.log('pebble')),
    images,
  };
}

/**
 * Brings the running cluster's real node up to this code: its ACME server when it has none, and the
 * images whose recipes changed since it started (built, then imported; running pods keep theirs, new
 * pods get the new ones). Recorded in the cluster's state file.
 */
export async function upgradeRunningNode(
  cluster: ClusterLayout,
  binaries: Pick<NodeBinaries, 'traefik'>,
  log: Log,
): Promise<void> {
  const state = JSON.parse(await readFile(cluster.state, 'utf8')) as {
    node?: { kind: string } & RealNodeInfo;
  };
  if (state.node?.kind !== 'real') return;
  const node = state.node.acme
    ? { ...state.node, images: await importImages(nodeLayout(cluster.dir).containerdSocket, log) }
    : await addAcmeToRunningNode(cluster, state.node, binaries, log);
  state.node = { kind: 'real', ...node };
  await writeFile(cluster.state, `${JSON.stringify(state, null, 2)}\n`);
}
