// What the ingress really serves for a host: a TLS handshake with SNI = the host, read for its
// issuer and expiry, and judged: a certificate for the host from an issuer (ready), or the proxy's
// own default certificate (Traefik's self-signed "TRAEFIK DEFAULT CERT", or any certificate that
// does not name the host), expired, or nothing answering.
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import type { CertificateCheck } from '@storefleet/contracts';

export interface TlsProbe {
  check(hostname: string): Promise<CertificateCheck>;
}

export interface TlsProbeOptions {
  /** Where to connect (`host:port`): unset = the hostname itself on 443. */
  address?: string;
  timeoutMs?: number;
  now?: () => Date;
}

const name = (fields: PeerCertificate['issuer'] | undefined) =>
  (fields?.CN || fields?.O || '').toString() || null;

export class HandshakeTlsProbe implements TlsProbe {
  private readonly options: TlsProbeOptions;

  constructor(options: TlsProbeOptions = {}) {
    this.options = options;
  }

  async check(hostname: string): Promise<CertificateCheck> {
    const now = this.options.now?.() ?? new Date();
    const checkedAt = now.toISOString();
    const lastTransitionTime = checkedAt;
    let certificate: PeerCertificate;
    try {
      certificate = await this.handshake(hostname);
    } catch (error) {
      return {
        ready: false,
        reason: 'IngressUnreachable',
        message: `No TLS answer for ${hostname} at ${this.where(hostname)}: ${(error as Error).message}.`,
        issuer: null,
        notAfter: null,
        checkedAt,
        lastTransitionTime,
      };
    }
    const issuer = name(certificate.issuer);
    const notAfter = certificate.valid_to ? new Date(certificate.valid_to) : null;
    const notBefore = certificate.valid_from ? new Date(certificate.valid_from).toISOString() : null;
    const facts = {
      issuer,
      notBefore,
      notAfter: notAfter?.toISOString() ?? null,
      checkedAt,
      lastTransitionTime,
    };
    // Traefik's default certificate is self-signed: its issuer is its subject.
    const selfSigned = JSON.stringify(certificate.issuer) === JSON.stringify(certificate.subject);
    if (checkServerIdentity(hostname, certificate) !== undefined || selfSigned) {
      return {
        ready: false,
        reason: 'DefaultCertificate',
        message: `The ingress serves its default certificate for ${hostname} (${name(certificate.subject) ?? 'no name'}, issued by ${issuer ?? 'itself'}), not one for the domain.`,
        ...facts,
      };
    }
    if (notAfter && notAfter.getTime() <= now.getTime()) {
      return {
        ready: false,
        reason: 'CertificateExpired',
        message: `The certificate for ${hostname} expired on ${notAfter.toISOString()}: its renewal failed.`,
        ...facts,
      };
    }
    return {
      ready: true,
      reason: 'CertificateServed',
      message: `The ingress serves a certificate for ${hostname} from ${issuer ?? 'an issuer'}.`,
      ...facts,
    };
  }

  private where(hostname: string): string {
    return this.options.address ?? `${hostname}:443`;
  }

  private handshake(hostname: string): Promise<PeerCertificate> {
    const [host, port] = splitAddress(this.where(hostname));
    return new Promise((resolve, reject) => {
      const socket = connect({
        host,
        port,
        servername: hostname,
        // The certificate is judged above, not by Node's trust store (a test ACME root is in none).
        rejectUnauthorized: false,
        timeout: this.options.timeoutMs ?? 5000,
      });
      socket.once('secureConnect', () => {
        const certificate = socket.getPeerCertificate();
        socket.end();
        if (!certificate || Object.keys(certificate).length === 0) reject(new Error('no certificate'));
        else resolve(certificate);
      });
      socket.once('timeout', () => socket.destroy(new Error('timed out')));
      socket.once('error', reject);
    });
  }
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
