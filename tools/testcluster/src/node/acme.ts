// The real node's ACME server: Debian's Pebble (a real RFC 8555 server, test-only) and its companion
// pebble-challtestsrv, whose DNS server answers the names Pebble validates (every name resolves to
// loopback, where Traefik listens, unless a test sets a record) and which a test drives over its
// management API (A, CNAME and TXT records). Traefik's certificate resolver orders from Pebble and
// answers its TLS-ALPN-01 challenges on the node's https entry point. Config is pure text; the
// processes are started by node.ts beside Traefik.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificate } from '../pki.ts';

export const ACME_RESOLVER = 'pebble';
export const PEBBLE_BIN = '/usr/bin/pebble';
export const CHALLTESTSRV_BIN = '/usr/bin/pebble-challtestsrv';

/** What tests and `npm start` need to know of the node's ACME set-up (kept in cluster.json). */
export interface AcmeInfo {
  /** Traefik's certificate resolver that orders from Pebble. */
  resolver: string;
  /** Pebble's ACME directory. */
  directoryUrl: string;
  /** CA of Pebble's own https listener (not of the certificates it issues). */
  listenerCaFile: string;
  /** Pebble's management API: GET /roots/0 is the root of the certificates it issues (new at every start). */
  managementUrl: string;
  /** challtestsrv's DNS server (host:port): the resolver for names Pebble validates. */
  dnsServer: string;
  /** challtestsrv's management API: POST /add-a, /set-cname, /set-txt, /clear-* (names end with a dot). */
  dnsManagementUrl: string;
  /** Pebble's log: one line per order and authorization, which tests count. */
  logFile: string;
}

export interface AcmePorts {
  ingress: number;
  ingressTls: number;
  pebble: number;
  pebbleManagement: number;
  challDns: number;
  challManagement: number;
}

export interface AcmeLayout {
  dir: string;
  config: string;
  listenerCa: string;
  listenerCert: string;
  listenerKey: string;
  /** Traefik's certificate store (acme.json). */
  traefikStorage: string;
}

export function acmeLayout(clusterDir: string): AcmeLayout {
  const dir = join(clusterDir, 'acme');
  return {
    dir,
    config: join(dir, 'pebble-config.json'),
    listenerCa: join(dir, 'listener-ca.crt'),
    listenerCert: join(dir, 'listener.crt'),
    listenerKey: join(dir, 'listener.key'),
    traefikStorage: join(dir, 'traefik-acme.json'),
  };
}

/** Why the node cannot run its ACME server, or undefined when it can. */
export function acmeUnavailable(): string | undefined {
  const missing = [PEBBLE_BIN, CHALLTESTSRV_BIN].filter((file) => !existsSync(file));
  return missing.length > 0
    ? `${missing.join(' and ')} missing: install Debian's pebble package (node scripts/setup.mjs does)`
    : undefined;
}

/**
 * Pebble validates HTTP-01 on `httpPort` and TLS-ALPN-01 on `tlsPort` of the address a name resolves
 * to: the node's Traefik entry points on loopback.
 */
export function pebbleConfig(layout: AcmeLayout, ports: AcmePorts): string {
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${ports.pebble}`,
      managementListenAddress: `127.0.0.1:${ports.pebbleManagement}`,
      certificate: layout.listenerCert,
      privateKey: layout.listenerKey,
      httpPort: ports.ingress,
      tlsPort: ports.ingressTls,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function pebbleArgs(layout: AcmeLayout, ports: AcmePorts): string[] {
  return ['-config', layout.config, '-dnsserver', `127.0.0.1:${ports.challDns}`];
}

/** No sleeps before validations, and no nonces rejected at random: tests want speed, not chaos. */
export const PEBBLE_ENV = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' } as const;

export function challtestsrvArgs(ports: AcmePorts): string[] {
  return [
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
    '-dns01',
    `127.0.0.1:${ports.challDns}`,
    '-management',
    `127.0.0.1:${ports.challManagement}`,
    // Traefik answers the challenges itself; challtestsrv's own responders stay off.
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
  ];
}

/** Traefik's https entry point, whose routers all get certificates from Pebble by their Host rules. */
export function traefikAcmeArgs(layout: AcmeLayout, ports: AcmePorts): string[] {
  const resolver = `--certificatesresolvers.${ACME_RESOLVER}.acme`;
  return [
    `--entryPoints.websecure.address=127.0.0.1:${ports.ingressTls}`,
    '--entryPoints.websecure.http.tls=true',
    `--entryPoints.websecure.http.tls.certResolver=${ACME_RESOLVER}`,
    `${resolver}.caServer=https://127.0.0.1:${ports.pebble}/dir`,
    `${resolver}.storage=${layout.traefikStorage}`,
    `${resolver}.email=certificates@storefleet.test`,
    `${resolver}.tlsChallenge=true`,
  ];
}

/** Traefik (lego) trusts Pebble's listener through this variable. */
export function traefikAcmeEnv(layout: AcmeLayout): Record<string, string> {
  return { LEGO_CA_CERTIFICATES: layout.listenerCa };
}

/** Writes Pebble's config and the certificate of its https listener (from a CA made for it). */
export async function writeAcmeFiles(layout: AcmeLayout, ports: AcmePorts): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  const ca = createCertificate({
    subject: { commonName: 'storefleet test ACME listener CA' },
    kind: 'ca',
    days: 365,
  });
  const listener = createCertificate(
    {
      subject: { commonName: 'pebble' },
      kind: 'server',
      days: 365,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    },
    ca,
  );
  await writeFile(layout.listenerCa, ca.certPem);
  await writeFile(layout.listenerCert, listener.certPem);
  await writeFile(layout.listenerKey, listener.keyPem, { mode: 0o600 });
  await writeFile(layout.config, pebbleConfig(layout, ports));
}

export function acmeInfo(layout: AcmeLayout, ports: AcmePorts, logFile: string): AcmeInfo {
  return {
    resolver: ACME_RESOLVER,
    directoryUrl: `https://127.0.0.1:${ports.pebble}/dir`,
    listenerCaFile: layout.listenerCa,
    managementUrl: `https://127.0.0.1:${ports.pebbleManagement}`,
    dnsServer: `127.0.0.1:${ports.challDns}`,
    dnsManagementUrl: `http://127.0.0.1:${ports.challManagement}`,
    logFile,
  };
}
