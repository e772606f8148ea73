// A stand-in for the ingress's https entry point: real TLS handshakes, its self-signed default
// certificate for every name until a test "issues" one for a host from its own CA.
import { createSecureContext, createServer, type SecureContext, type Server } from 'node:tls';
import { createCertificate, type KeyAndCertificate } from '../../../../tools/testcluster/src/pki.ts';

/** An ingress stand-in: the default certificate for every name, a CA-issued one for the hosts in `issued`. */
export class StandInIngress {
  private readonly ca = createCertificate({
    subject: { commonName: 'Test ACME Root' },
    kind: 'ca',
    days: 30,
  });
  private readonly fallback = createCertificate({
    subject: { commonName: 'TRAEFIK DEFAULT CERT' },
    kind: 'server',
    days: 30,
    dnsNames: ['default.invalid'],
  });
  private readonly contexts = new Map<string, SecureContext>();
  private server: Server | undefined;
  port = 0;

  /** Serves `host` a certificate valid for `days` more days, issued `ageDays` ago. */
  issue(host: string, days = 90, ageDays?: number): void {
    const leaf: KeyAndCertificate = createCertificate(
      { subject: { commonName: host }, kind: 'server', days, ageDays, dnsNames: [host] },
      this.ca,
    );
    this.contexts.set(host, createSecureContext({ cert: leaf.certPem, key: leaf.keyPem }));
  }

  async start(): Promise<void> {
    this.server = createServer(
      {
        cert: this.fallback.certPem,
        key: this.fallback.keyPem,
        SNICallback: (name, done) => done(null, this.contexts.get(name)),
      },
      (socket) => socket.end(),
    );
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
