// The cluster's certificates and keys, made with node:crypto: two CAs (cluster and front-proxy),
// the apiserver serving certificate, a client certificate per identity, and the service-account key pair.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  integer,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  time,
  toPem,
  utf8String,
} from './der.ts';

export interface Subject {
  commonName: string;
  /** Kubernetes reads O as the group (system:masters is cluster-admin). */
  organization?: string;
}

export interface CertificateSpec {
  subject: Subject;
  kind: 'ca' | 'server' | 'client';
  /** Valid for this many days from now. */
  days: number;
  /** Valid since this many days ago (default an hour, for clock skew). */
  ageDays?: number;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

export interface KeyAndCertificate {
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
  subjectName: Buffer;
  keyId: Buffer;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** The first address of SERVICE_CIDR is the `kubernetes` Service's, so it must be in the serving cert. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

function encodeName(subject: Subject): Buffer {
  const attribute = (type: string, value: string) => set(sequence(oid(type), utf8String(value)));
  const parts = subject.organization ? [attribute(OID.organization, subject.organization)] : [];
  return sequence(...parts, attribute(OID.commonName, subject.commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function ipBytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`only IPv4 addresses are supported in certificates, got ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

/** An EC P-256 key and an X.509 v3 certificate, self-signed when there is no issuer. */
export function createCertificate(spec: CertificateSpec, issuer?: KeyAndCertificate): KeyAndCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const subjectName = encodeName(spec.subject);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive and exactly 16 bytes
  const notBefore = new Date(Date.now() - (spec.ageDays ?? 1 / 24) * 24 * 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + spec.days * 24 * 60 * 60 * 1000);

  const extensions = [extension(OID.subjectKeyId, false, octetString(keyId))];
  extensions.push(extension(OID.authorityKeyId, false, sequence(implicit(0, issuer?.keyId ?? keyId))));
  if (spec.kind === 'ca') {
    extensions.push(extension(OID.basicConstraints, true, sequence(boolean(true))));
    const { keyCertSign, cRLSign, digitalSignature } = KEY_USAGE;
    extensions.push(extension(OID.keyUsage, true, namedBits([digitalSignature, keyCertSign, cRLSign])));
  } else {
    extensions.push(extension(OID.basicConstraints, false, sequence()));
    extensions.push(
      extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment])),
    );
    const usage = spec.kind === 'server' ? OID.serverAuth : OID.clientAuth;
    extensions.push(extension(OID.extKeyUsage, false, sequence(oid(usage))));
  }
  const altNames = [
    ...(spec.dnsNames ?? []).map((name) => implicit(2, Buffer.from(name, 'ascii'))),
    ...(spec.ipAddresses ?? []).map((address) => implicit(7, ipBytes(address))),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, sequence(...altNames)));

  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    algorithm,
    issuer?.subjectName ?? subjectName,
    sequence(time(notBefore), time(notAfter)),
    subjectName,
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer?.privateKey ?? privateKey);
  const certificate = sequence(tbs, algorithm, bitString(signature));
  return {
    certPem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
    subjectName,
    keyId,
  };
}

/** Client identities, each bound by the bootstrap RBAC policy to what it needs. */
export const CLIENT_IDENTITIES = {
  admin: { organization: 'system:masters', commonName: 'storefleet-admin' },
  'kube-controller-manager': { commonName: 'system:kube-controller-manager' },
  'kube-scheduler': { commonName: 'system:kube-scheduler' },
  // kwok patches node and pod status, leases, and deletes pods: cluster-admin is simplest.
  kwok: { organization: 'system:masters', commonName: 'kwok-controller' },
  // The real node's kubelet: the Node authorizer lets it touch only its own node and pods.
  kubelet: { organization: 'system:nodes', commonName: 'system:node:storefleet-node' },
  'kube-proxy': { commonName: 'system:kube-proxy' },
} as const satisfies Record<string, Subject>;

export type ClientIdentity = keyof typeof CLIENT_IDENTITIES;

/** Every PKI file of a cluster by file name (PEM text). */
export function generateClusterPki(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (name: string, pair: KeyAndCertificate) => {
    files.set(`${name}.crt`, pair.certPem);
    files.set(`${name}.key`, pair.keyPem);
  };
  const ca = createCertificate({
    subject: { commonName: 'storefleet-testcluster-ca' },
    kind: 'ca',
    days: 3650,
  });
  add('ca', ca);
  // Without a request-header CA the apiserver publishes an incomplete extension-apiserver-authentication
  // ConfigMap, and the controller manager and scheduler log errors about it forever.
  const frontProxyCa = createCertificate({
    subject: { commonName: 'storefleet-testcluster-front-proxy-ca' },
    kind: 'ca',
    days: 3650,
  });
  add('front-proxy-ca', frontProxyCa);
  add(
    'apiserver',
    createCertificate(
      {
        subject: { commonName: 'kube-apiserver' },
        kind: 'server',
        days: 365,
        dnsNames: [
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
        ],
        ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
      },
      ca,
    ),
  );
  for (const [name, subject] of Object.entries(CLIENT_IDENTITIES)) {
    add(name, createCertificate({ subject, kind: 'client', days: 365 }, ca));
  }
  add(
    'front-proxy-client',
    createCertificate(
      { subject: { commonName: 'front-proxy-client' }, kind: 'client', days: 365 },
      frontProxyCa,
    ),
  );
  // Service-account tokens are signed with RSA (RS256), the algorithm every client accepts.
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  files.set('sa.key', sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  files.set('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return files;
}

export async function writeClusterPki(pkiDir: string): Promise<void> {
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  for (const [name, pem] of generateClusterPki()) {
    const file = join(pkiDir, name);
    await writeFile(file, pem, { mode: name.endsWith('.key') ? 0o600 : 0o644 });
    await chmod(file, name.endsWith('.key') ? 0o600 : 0o644);
  }
}
