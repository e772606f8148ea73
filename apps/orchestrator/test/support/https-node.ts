// HTTPS on the real node as tests see it: Pebble's root (new at every start, read from its management
// API), the certificate the ingress serves for a host, and a checkout through our storefront.
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import type { Page } from 'playwright-core';

/** Pebble's root certificate (PEM): its management API's listener is signed by the node's own CA. */
export function pebbleRoot(acme: { managementUrl: string; listenerCaFile: string }): Promise<string> {
  const ca = readFileSync(acme.listenerCaFile, 'utf8');
  const url = new URL(`${acme.managementUrl}/roots/0`);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: url.hostname, port: Number(url.port), ca, servername: 'localhost' },
      () => {
        socket.write('GET /roots/0 HTTP/1.0\r\nHost: localhost\r\n\r\n');
      },
    );
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text.slice(text.indexOf('-----BEGIN'))));
    socket.on('error', reject);
  });
}

/** The certificate the ingress at 127.0.0.1:`port` serves for `host`, and whether it chains to `root`. */
export function servedCertificate(
  port: number,
  host: string,
  root: string,
): Promise<{ issuer: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: host,
      ca: root,
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      resolve({ issuer: String(certificate.issuer?.CN ?? ''), authorized: socket.authorized });
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** Signs in to a Medusa admin (`/app`) in `page` and waits until the order `#number` is listed. */
export async function adminSeesOrder(
  page: Page,
  admin: string,
  login: { email: string; password: string },
  number: string,
) {
  await page.goto(admin);
  await page.locator('input[name="email"]').fill(login.email);
  await page.locator('input[name="password"]').fill(login.password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.includes('login'), { timeout: 60_000 });
  await page.goto(`${admin}/orders`);
  await page.getByText(`#${number}`).first().waitFor({ timeout: 60_000 });
}
