import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { oid, time } from '../src/der.ts';
import { createCertificate, generateClusterPki } from '../src/pki.ts';

describe('DER encoding', () => {
  it('encodes object identifiers with multi-byte arcs', () => {
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });

  it('switches from UTCTime to GeneralizedTime in 2050', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString()).toContain('491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString()).toContain('20500101000000Z');
  });
});

describe('the cluster PKI', () => {
  const files = generateClusterPki();
  const cert = (name: string) => new X509Certificate(files.get(`${name}.crt`)!);

  it('has the CAs, every identity and the service-account key pair', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        'admin.crt',
        'admin.key',
        'apiserver.crt',
        'apiserver.key',
        'ca.crt',
        'ca.key',
        'front-proxy-ca.crt',
        'front-proxy-ca.key',
        'front-proxy-client.crt',
        'front-proxy-client.key',
        'kube-controller-manager.crt',
        'kube-controller-manager.key',
        'kube-proxy.crt',
        'kube-proxy.key',
        'kube-scheduler.crt',
        'kube-scheduler.key',
        'kubelet.crt',
        'kubelet.key',
        'kwok.crt',
        'kwok.key',
        'sa.key',
        'sa.pub',
      ].sort(),
    );
    // The Node authorizer knows the kubelet by this name and group.
    expect(cert('kubelet').subject).toBe('O=system:nodes\nCN=system:node:storefleet-node');
    expect(files.get('sa.key')).toContain('BEGIN PRIVATE KEY');
    expect(files.get('sa.pub')).toContain('BEGIN PUBLIC KEY');
  });

  it('signs each certificate with its CA', () => {
    const ca = cert('ca');
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    for (const name of ['apiserver', 'admin', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      expect(cert(name).ca).toBe(false);
      expect(cert(name).checkIssued(ca)).toBe(true);
      expect(cert(name).verify(ca.publicKey)).toBe(true);
    }
    expect(cert('front-proxy-client').verify(cert('front-proxy-ca').publicKey)).toBe(true);
    expect(cert('front-proxy-client').verify(ca.publicKey)).toBe(false);
  });

  it('names the identities Kubernetes authorizes', () => {
    expect(cert('admin').subject).toBe('O=system:masters\nCN=storefleet-admin');
    expect(cert('kube-controller-manager').subject).toBe('CN=system:kube-controller-manager');
    expect(cert('admin').keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('serves the apiserver on every name a client uses', () => {
    const server = cert('apiserver');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(server.checkHost('kubernetes.default.svc.cluster.local')).toBeDefined();
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(server.subjectAltName).toContain('DNS:localhost');
  });

  it('completes a mutual TLS handshake', async () => {
    const tlsServer = createServer(
      {
        cert: files.get('apiserver.crt'),
        key: files.get('apiserver.key'),
        ca: files.get('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => socket.end(`hello ${socket.getPeerX509Certificate()?.subject.replace('\n', ',')}`),
    );
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: (tlsServer.address() as AddressInfo).port,
        servername: 'localhost',
        ca: files.get('ca.crt'),
        cert: files.get('admin.crt'),
        key: files.get('admin.key'),
      });
      let reply = '';
      socket.on('data', (chunk: Buffer) => {
        reply += chunk.toString();
      });
      await once(socket, 'end');
      expect(reply).toBe('hello O=system:masters,CN=storefleet-admin');
    } finally {
      tlsServer.close();
    }
  });

  it('refuses IPv6 addresses rather than encoding them wrongly', () => {
    expect(() =>
      createCertificate({ subject: { commonName: 'x' }, kind: 'server', days: 1, ipAddresses: ['::1'] }),
    ).toThrow(/only IPv4/);
  });
});
