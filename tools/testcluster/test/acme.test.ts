// The real node's ACME set-up, as text: Pebble validates on Traefik's entry points and resolves
// through challtestsrv, Traefik's https entry point orders from Pebble and trusts its listener, and
// challtestsrv leaves the challenges to Traefik.
import { describe, expect, it } from 'vitest';
import {
  acmeLayout,
  challtestsrvArgs,
  PEBBLE_ENV,
  pebbleArgs,
  pebbleConfig,
  traefikAcmeArgs,
  traefikAcmeEnv,
} from '../src/node/acme.ts';
import { NODE_PORT_NAMES, type NodePorts, traefikArgs } from '../src/node/node-config.ts';

const ports = Object.fromEntries(NODE_PORT_NAMES.map((name, i) => [name, 31000 + i])) as unknown as NodePorts;
const layout = acmeLayout('/srv/cluster');

describe('the ACME server of the real node', () => {
  it('validates challenges on the ports Traefik listens on, and resolves names through challtestsrv', () => {
    const config = JSON.parse(pebbleConfig(layout, ports)).pebble;
    expect(config).toMatchObject({
      listenAddress: `127.0.0.1:${ports.pebble}`,
      managementListenAddress: `127.0.0.1:${ports.pebbleManagement}`,
      httpPort: ports.ingress,
      tlsPort: ports.ingressTls,
      certificate: layout.listenerCert,
      privateKey: layout.listenerKey,
    });
    expect(pebbleArgs(layout, ports)).toEqual([
      '-config',
      layout.config,
      '-dnsserver',
      `127.0.0.1:${ports.challDns}`,
    ]);
    expect(PEBBLE_ENV.PEBBLE_VA_NOSLEEP).toBe('1');
  });

  it('keeps challtestsrv to DNS and its management API, on loopback', () => {
    const args = challtestsrvArgs(ports);
    expect(args).toEqual(
      expect.arrayContaining(['-dns01', `127.0.0.1:${ports.challDns}`, '-tlsalpn01', '', '-http01', '']),
    );
    expect(args.join(' ')).not.toMatch(/0\.0\.0\.0/);
  });

  it("gives Traefik an https entry point whose routers all get Pebble's certificates, trusting Pebble's listener", () => {
    const args = traefikArgs(ports, layout);
    expect(args).toEqual(expect.arrayContaining(traefikAcmeArgs(layout, ports)));
    expect(args).toContain(`--entryPoints.websecure.address=127.0.0.1:${ports.ingressTls}`);
    expect(args).toContain('--entryPoints.websecure.http.tls.certResolver=pebble');
    expect(args).toContain(
      `--certificatesresolvers.pebble.acme.caServer=https://127.0.0.1:${ports.pebble}/dir`,
    );
    expect(args).toContain('--certificatesresolvers.pebble.acme.tlsChallenge=true');
    // Plain http stays as it was: no redirect on the web entry point.
    expect(args.some((arg) => arg.includes('redirections'))).toBe(false);
    expect(traefikAcmeEnv(layout)).toEqual({ LEGO_CA_CERTIFICATES: layout.listenerCa });
    // Without the ACME server, no https entry point.
    expect(traefikArgs(ports).some((arg) => arg.includes('websecure'))).toBe(false);
  });
});
