// A Medusa store on the real node sends its order e-mail through the platform's SMTP relay, here a
// real Mailpit on the node's bridge: Chromium places an order, the shopper's confirmation and the
// merchant's notice arrive (parsed by Mailpit: subject, items, total); the dashboard's test e-mail
// arrives; with the relay stopped an order still succeeds and the failed send shows in the activity.
import { join } from 'node:path';
import { type MailSend, Store, StoreMail } from '@storefleet/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIST } from '../../../../scripts/build-dashboard.ts';
import { resolveMailpit } from '../../../../tools/testcluster/src/binaries.ts';
import { type MailCatcher, startMailCatcher } from '../../../../tools/testcluster/src/mail-catcher.ts';
import { type MailSummary, mailCatcherClient } from '../../../../tools/testcluster/src/mail-catcher-api.ts';
import { GATEWAY } from '../../../../tools/testcluster/src/node/node-layout.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import type { Platform } from '../../src/platform.ts';
import { type Browser, launchBrowser } from '../support/browser.ts';
import { startClusterPlatform } from '../support/cluster-platform.ts';
import { openStorePage } from '../support/dashboard-page.ts';
import { signedIn, testConfig, waitFor, waitForState } from '../support/harness.ts';
import { testCluster } from '../support/kube.ts';
import { placeOrder, storeHttp } from '../support/medusa-shopper.ts';
import { realNode, realNodeEnvironment } from '../support/real-node.ts';
import { checkout, SHIPPING } from '../support/storefront-checkout.ts';

const cluster = testCluster();
const node = realNode(cluster);
const READY_TIMEOUT_MS = 12 * 60_000;
const suffix = Date.now().toString(36).slice(-5);
const MERCHANT = `merchant-${suffix}@example.com`;
const NOTICES_TO = `orders-${suffix}@example.com`;
const SHOPPER = `shopper-${suffix}@example.com`;

let catcher: MailCatcher | undefined;
let database: Database;
let platform: Platform;
let auth: Record<string, string>;
let browser: Browser | undefined;
let store: Store | undefined;

const api = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
  const response = await platform.app.inject({
    method,
    url,
    headers: auth,
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as unknown };
};

const mailbox = () => mailCatcherClient(catcher?.apiUrl ?? '');

/** The first message that `matches`, once it has arrived. */
async function arrived(what: string, matches: (mail: MailSummary) => boolean): Promise<MailSummary> {
  return waitFor(async () => (await mailbox().messages(100)).find(matches), what, 90_000, 250);
}

describe.runIf(node)(
  "a Medusa store's e-mail on the real node",
  { timeout: READY_TIMEOUT_MS + 5 * 60_000 },
  () => {
    beforeAll(async () => {
      const binary = await resolveMailpit({ build: true, log: () => {} });
      // On the node's bridge, where the store's pods reach the host.
      catcher = await startMailCatcher({
        binary,
        smtp: { host: GATEWAY, port: 0 },
        http: { host: '127.0.0.1', port: 0 },
      });
      const config = testConfig({
        ...(await realNodeEnvironment(cluster, node, READY_TIMEOUT_MS)),
        SMTP_HOST: catcher.smtpAddress.host,
        SMTP_PORT: String(catcher.smtpAddress.port),
        SMTP_ENCRYPTION: 'none',
        MAIL_CATCHER_URL: catcher.apiUrl,
        MAIL_SYNC_INTERVAL: '2s',
        DASHBOARD_DIR: DASHBOARD_DIST,
      });
      database = await openDatabase({ inMemory: true });
      platform = await startClusterPlatform(config, database);
      auth = (await signedIn(platform, MERCHANT)).headers;
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      if (store && platform) {
        await platform.commands.delete(store.id).catch(() => undefined);
        await waitForState(database, store.id, 'Deleted', 240_000).catch(() => undefined);
      }
      await platform?.stop();
      await database?.close();
      await catcher?.stop();
    }, 300_000);

    it('becomes Ready, sending as orders@<its host>, and takes the merchant’s address for notices', async () => {
      const created = await api('POST', '/api/stores', { name: `Mailroom ${suffix}`, engine: 'medusa' });
      expect(created.status).toBe(202);
      store = Store.parse(created.body);
      await waitForState(database, store.id, 'Ready', READY_TIMEOUT_MS);

      const before = StoreMail.parse((await api('GET', `/api/stores/${store.id}/mail`)).body);
      expect(before).toMatchObject({
        configured: true,
        from: `"Mailroom ${suffix}" <orders@${store.slug}.localhost>`,
        settings: { merchantEmail: `admin@${store.slug}.store.invalid`, senderName: `Mailroom ${suffix}` },
        sends: [],
      });
      const refused = await api('PUT', `/api/stores/${store.id}/mail/settings`, {
        merchantEmail: 'not an address',
      });
      expect(refused.status).toBe(400);
      const saved = await api('PUT', `/api/stores/${store.id}/mail/settings`, {
        merchantEmail: NOTICES_TO,
        senderName: `Mailroom ${suffix}`,
      });
      expect(saved).toEqual({
        status: 200,
        body: { merchantEmail: NOTICES_TO, senderName: `Mailroom ${suffix}` },
      });
    });

    it('sends the shopper a confirmation and the merchant a notice after an order placed in Chromium', async () => {
      if (!store) throw new Error('no store: the previous test failed');
      browser = await launchBrowser({ width: 1280, height: 900 });
      const { orderNumber, placedAt } = await checkout(browser.page, store.urls.storefront, SHOPPER);
      const confirmation = await arrived('the order confirmation', (mail) =>
        mail.to.some((to) => to.address === SHOPPER),
      );
      const seconds = (Date.now() - placedAt) / 1000;
      console.info(`order confirmation arrived ${seconds.toFixed(1)} s after "Place order"`);

      // What the order is, from the store's own Admin API.
      const host = `${store.slug}.localhost`;
      const port = node?.ingressPort ?? 0;
      const revealed = (await api('POST', `/api/stores/${store.id}/credentials`, {})).body as {
        email: string;
        password: string;
      };
      const login = await storeHttp(port, host, 'POST', '/auth/user/emailpass', {}, revealed);
      const orders = await storeHttp(
        port,
        host,
        'GET',
        '/admin/orders?fields=display_id,total,currency_code',
        {
          authorization: `Bearer ${(login.body as { token: string }).token}`,
        },
      );
      const order = (
        orders.body as { orders: { display_id: number; total: number; currency_code: string }[] }
      ).orders.find((candidate) => candidate.display_id === Number(orderNumber));
      expect(order).toBeDefined();
      const total = new Intl.NumberFormat('en', {
        style: 'currency',
        currency: order?.currency_code.toUpperCase() ?? 'EUR',
      }).format(order?.total ?? 0);

      const message = await mailbox().message(confirmation.id);
      expect(message.subject).toContain(`#${orderNumber}`);
      expect(message.from?.address).toBe(`orders@${store.slug}.localhost`);
      expect(message.from?.name).toBe(`Mailroom ${suffix}`);
      expect(message.text).toContain('Fleet T-Shirt');
      expect(message.text).toMatch(/\b1\s*[x×]|Qty:?\s*1|quantity:?\s*1/i);
      expect(message.text).toContain(total);
      expect(message.text).toContain(SHIPPING.address);
      expect(message.text).toMatch(/pay on delivery/i);
      expect(message.html).toContain('Fleet T-Shirt');

      const notice = await arrived('the new-order notice', (mail) =>
        mail.to.some((to) => to.address === NOTICES_TO),
      );
      const noticeMessage = await mailbox().message(notice.id);
      expect(noticeMessage.subject).toContain(`#${orderNumber}`);
      expect(noticeMessage.text).toContain(SHOPPER);
      expect(noticeMessage.text).toContain(total);

      const mail = StoreMail.parse((await api('GET', `/api/stores/${store.id}/mail`)).body);
      const kinds = mail.sends.map((send: MailSend) => [send.kind, send.status, send.orderNumber, send.to]);
      expect(kinds).toEqual(
        expect.arrayContaining([
          ['order-confirmation', 'sent', Number(orderNumber), SHOPPER],
          ['order-notice', 'sent', Number(orderNumber), NOTICES_TO],
        ]),
      );
    });

    it("delivers the dashboard's test e-mail", async () => {
      if (!store || !browser) throw new Error('no store: the previous tests failed');
      const dashboard = await platform.app.listen({ port: 0, host: '127.0.0.1' });
      const { page } = browser;
      await openStorePage(page, dashboard, MERCHANT, store.id);
      const panel = page.getByRole('region', { name: 'E-mail', exact: true });
      try {
        await panel.getByRole('button', { name: 'Send a test e-mail' }).click({ timeout: 60_000 });
      } catch (error) {
        await page.screenshot({ path: join(browser.dir, 'mail-panel.png'), fullPage: true });
        const shown = await panel.textContent({ timeout: 1000 }).catch(() => 'absent');
        throw new Error(`${(error as Error).message}\nthe E-mail panel: ${shown}`);
      }
      await panel.getByText(`Sent to ${NOTICES_TO}.`).waitFor({ timeout: 60_000 });
      const test = await arrived('the test e-mail', (mail) => mail.subject.startsWith('Test e-mail from'));
      expect(test.to.map((to) => to.address)).toEqual([NOTICES_TO]);
      await panel.locator('tr[data-send="test"]').first().waitFor();
    });

    it('takes an order with the relay stopped, and shows the failed send with its reason in the activity', async () => {
      if (!store || !catcher) throw new Error('no store: the previous tests failed');
      await catcher.stop();
      const placed = await placeOrder(node?.ingressPort ?? 0, `${store.slug}.localhost`, { email: SHOPPER });
      expect(placed.displayId).toBeGreaterThan(0);
      const failed = await waitFor(
        async () => {
          const { body } = await api('GET', `/api/stores/${store?.id}/activity?limit=50`);
          return (
            body as { items: { type: string; message: string; details: Record<string, unknown> }[] }
          ).items.find(
            (entry) => entry.type === 'mail.failed' && entry.details.orderNumber === placed.displayId,
          );
        },
        'the failed send in the activity',
        120_000,
        500,
      );
      expect(failed.message).toContain(`order #${placed.displayId}`);
      expect(String(failed.details.reason)).toMatch(/ECONNREFUSED/);
      const store_ = Store.parse((await api('GET', `/api/stores/${store.id}`)).body);
      expect(store_.state).toBe('Ready');
    });
  },
);
