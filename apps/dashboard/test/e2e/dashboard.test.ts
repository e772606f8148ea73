// The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
// orchestrator: embedded database, the local Kubernetes control plane, the real helm and store chart.
// Screenshots of every page land in test-results/dashboard/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../../../../scripts/build-dashboard.ts';
import { connectCluster } from '../../../orchestrator/src/cluster/connect.ts';
import { type Database, openDatabase } from '../../../orchestrator/src/db/database.ts';
import { type Platform, startPlatform } from '../../../orchestrator/src/platform.ts';
import { silentLogger, testConfig, waitForState } from '../../../orchestrator/test/support/harness.ts';
import { REPO } from '../../../orchestrator/test/support/kube.ts';

const CHROMIUM = process.env.STOREFLEET_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOTS = join(REPO, 'test-results', 'dashboard');
const READY_TIMEOUT_MS = 180_000;

// Unique per run: the cluster is shared with other test processes.
const suffix = Date.now().toString(36).slice(-5);
const storeName = `Browser Shop ${suffix}`;
const email = `browser-${suffix}@example.com`;
const tokenName = `Browser script ${suffix}`;

let database: Database;
let platform: Platform;
let baseUrl: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
let storeId: string | undefined;
let tokenId: string | undefined;
const pageErrors: string[] = [];

async function screenshot(name: string, options: { fullPage?: boolean } = {}) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

function storeRow(): Locator {
  return page.locator('tr', { has: page.getByRole('link', { name: storeName, exact: true }) });
}

beforeAll(async () => {
  await ensureDashboardBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const config = testConfig({
    KUBECONFIG: inject('kubeconfig'),
    HELM_BIN: inject('helm'),
    DASHBOARD_DIR: DASHBOARD_DIST,
    PROVISION_TIMEOUT: '150s',
    PROVISION_RETRY_BACKOFF: '1s',
    LEASE_DURATION: '5s',
  });
  database = await openDatabase({ inMemory: true });
  platform = await startPlatform({
    config,
    logger: silentLogger,
    database,
    cluster: await connectCluster(config, silentLogger),
    pollIntervalMs: 50,
    heartbeatIntervalMs: 500,
  });
  baseUrl = await platform.app.listen({ port: 0, host: '127.0.0.1' });

  userDataDir = mkdtempSync(join(tmpdir(), 'storefleet-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await context?.close();
  // A run that failed half-way leaves nothing behind in the shared cluster.
  if (storeId && platform) {
    const store = await platform.queries.get(storeId).catch(() => undefined);
    if (store && store.state !== 'Deleted') {
      await platform.commands.delete(storeId);
      await waitForState(database, storeId, 'Deleted', 120_000).catch(() => undefined);
    }
  }
  await platform?.stop();
  await database?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, 180_000);

describe('the dashboard in a browser', { timeout: 240_000 }, () => {
  it('asks a visitor to sign in, creates an account, and shows an empty list', async () => {
    await page.goto(baseUrl);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Sign in to Storefleet' }));
    await expectVisible(page.getByRole('note', { name: 'Cluster notice' }).getByText(/Simulated cluster/));
    await screenshot('01-sign-in');

    await page.getByRole('button', { name: 'Create an account' }).click();
    const form = page.getByRole('form', { name: 'Create an account' });
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel('Password').fill('correct horse battery staple');
    await form.getByRole('button', { name: 'Create account' }).click();

    await expectVisible(page.getByRole('heading', { level: 1, name: 'Stores' }));
    await expectVisible(page.getByText(email));
    await expectVisible(page.getByText('No stores yet'));
    await expectVisible(page.getByText('Live updates: Live'));
    await screenshot('02-stores-empty');
  });

  it("shows the contract's and then the API's own message for a bad name", async () => {
    const name = page.getByRole('textbox', { name: 'Store name' });
    await name.fill('ab');
    await page.getByRole('button', { name: 'Create store' }).click();
    // Fewer than three letters or digits: the contract's pattern, checked before sending.
    const message = 'Store name needs at least three letters or digits (A-Z, 0-9) and no control characters.';
    await expectVisible(page.getByText(message));
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await screenshot('03-create-bad-name');

    // Names the pattern allows but the API refuses (reserved; an address over 40 characters).
    await name.fill('Admin');
    await page.getByRole('button', { name: 'Create store' }).click();
    await expectVisible(
      page.getByText('Store name "Admin" is reserved (address "admin"); choose another name.'),
    );
    await name.fill('Long '.repeat(12).trim());
    await page.getByRole('button', { name: 'Create store' }).click();
    await expectVisible(page.getByText(/is too long: its address "long-long-[a-z-]+" has 59 characters/));
  });

  it('creates a store and shows it reaching Ready without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    let loads = 0;
    page.on('load', () => loads++);

    await page.getByRole('textbox', { name: 'Store name' }).fill(storeName);
    await page.getByRole('combobox', { name: 'Engine' }).selectOption('woocommerce');
    await page.getByRole('button', { name: 'Create store' }).click();
    await expectVisible(page.getByText(`“${storeName}” is on its way`));
    const row = storeRow();
    await expectVisible(row);
    storeId = (await row.getAttribute('data-store-id')) ?? undefined;
    expect(storeId).toBeTruthy();

    // While it provisions, the row shows its steps moving.
    await expectVisible(row.getByRole('progressbar'));
    await page
      .waitForFunction(
        () =>
          Number(document.querySelector('tr [role="progressbar"]')?.getAttribute('aria-valuenow') ?? 0) >= 2,
        undefined,
        { timeout: READY_TIMEOUT_MS },
      )
      .catch(() => undefined);
    await screenshot('04-store-provisioning');

    await row.locator('[data-state="Ready"]').waitFor({ timeout: READY_TIMEOUT_MS });
    await expectVisible(row.getByRole('link', { name: `Storefront of ${storeName}` }));
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(loads).toBe(0);
    await screenshot('05-store-ready');

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot('06-stores-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('opens the store: steps, activity, resources, revisions and the admin login', async () => {
    await page.getByRole('link', { name: storeName, exact: true }).click();
    await page.waitForURL(`**/stores/${storeId}`);
    await expectVisible(page.getByRole('heading', { level: 1, name: storeName }));
    const steps = page.getByRole('list', { name: `Steps of ${storeName}` });
    await expect.poll(() => steps.getByRole('img', { name: 'done' }).count()).toBe(6);
    await expectVisible(
      page
        .getByRole('list', { name: `Activity of ${storeName}` })
        .getByText(/ready/i)
        .first(),
    );
    await expectVisible(
      page.getByRole('list', { name: 'Kubernetes resources' }).getByText('Pod', { exact: true }).first(),
    );
    const revisions = page.getByRole('table', { name: /Helm revisions/ });
    await expectVisible(revisions.getByText('deployed'));

    await page.getByRole('button', { name: 'Reveal admin login' }).click();
    await expectVisible(page.getByRole('button', { name: 'Copy password' }));
    await expectVisible(page.getByRole('button', { name: 'Copy username' }));
    await screenshot('07-store-detail');
  });

  it('upgrades the release and lists the new revision', async () => {
    await page.getByRole('spinbutton', { name: 'App replicas' }).fill('2');
    await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
    const revisions = page.getByRole('table', { name: /Helm revisions/ });
    await revisions
      .getByRole('button', { name: 'Roll back to revision 1' })
      .waitFor({ timeout: READY_TIMEOUT_MS });
    await expectVisible(page.getByText(/revision 2$/));
    await page.locator('main h1 ~ * [data-state="Ready"]').waitFor({ timeout: READY_TIMEOUT_MS });
    await expectVisible(
      page.getByRole('list', { name: `Activity of ${storeName}` }).getByText(/now at revision 2/),
    );
    await screenshot('08-store-upgraded');
  });

  it('shows the platform view: counts, provisioning times and recent activity', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Platform' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Platform' }));
    await expectVisible(page.getByText('Average provisioning'));
    await expectVisible(page.getByRole('img', { name: /Provisioning times of 1 stores/ }));
    await expectVisible(
      page.getByRole('list', { name: 'Recent activity' }).getByRole('link', { name: storeName }).first(),
    );
    await screenshot('09-platform');
  });

  it('deletes the store after confirmation and shows it go', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stores' }).click();
    const row = storeRow();
    await row.getByRole('button', { name: `Delete ${storeName}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete “${storeName}”?` });
    await expectVisible(dialog);
    await screenshot('10-delete-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Delete store' }).click();
    await row.locator('[data-state="Deleting"]').waitFor();
    await screenshot('11-store-deleting');
    await row.waitFor({ state: 'detached', timeout: READY_TIMEOUT_MS });
    await expectVisible(page.getByText('No stores yet'));
    await screenshot('12-store-deleted');
    expect((await platform.queries.get(storeId!)).state).toBe('Deleted');
    expect(pageErrors).toEqual([]);
  });

  it('creates an API token on the account page that works as a Bearer token until it is revoked', async () => {
    await page.getByRole('link', { name: email }).click();
    await page.waitForURL('**/account');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your account' }));
    const summary = page.getByRole('region', { name: 'Signed in' });
    await expectVisible(summary.getByText('Platform admin'));
    await expectVisible(page.getByText('No API tokens yet'));
    await screenshot('13-account');

    await page.getByRole('textbox', { name: 'Token name' }).fill(tokenName);
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByRole('region', { name: `Copy your new token “${tokenName}” now` });
    await expectVisible(secret.getByText('You will not see it again'));
    const token = (await secret.locator('code').textContent()) ?? '';
    expect(token).toMatch(/^sf_\S{20,}$/);
    await screenshot('14-token-created');

    // A script, not the browser: no cookie, only the token.
    const listStores = () =>
      fetch(`${baseUrl}/api/stores`, { headers: { authorization: `Bearer ${token}` } });
    const allowed = await listStores();
    expect(allowed.status).toBe(200);
    expect((await allowed.json()).items.map((store: { id: string }) => store.id)).toContain(storeId);

    await secret.getByRole('button', { name: 'I have copied it' }).click();
    await secret.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(token);
    expect(
      await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }])),
    ).not.toContain(token);

    const tokens = page.getByRole('list', { name: 'Your API tokens' });
    await expectVisible(tokens.getByText(tokenName));
    await page.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Revoke “${tokenName}”?` });
    await expectVisible(dialog);
    await screenshot('15-token-revoke-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectVisible(tokens.getByText('Revoked', { exact: true }));
    await screenshot('16-token-revoked');

    const refused = await listStores();
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe('INVALID_TOKEN');
    const listed = await page.evaluate(async () => (await fetch('/api/tokens')).json());
    tokenId = (listed as { items: { id: string; name: string }[] }).items.find(
      (item) => item.name === tokenName,
    )?.id;
    expect(tokenId).toBeTruthy();
  });

  it('shows the admin the audit trail of what was just done, and filters it', async () => {
    expect(tokenId).toBeTruthy();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL('**/audit');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Audit trail' }));
    const table = page.getByRole('table', { name: 'Audit trail' });
    await expectVisible(table);
    const rows = (action: string, target?: string) =>
      table.locator('tr', {
        has: page.getByText(action, { exact: true }),
        ...(target ? { hasText: target } : {}),
      });

    const revoke = rows('token.revoke', tokenId);
    await expectVisible(revoke);
    await expectVisible(revoke.getByText(email));
    await expectVisible(revoke.getByText('127.0.0.1'));
    await expectVisible(revoke.getByText('success · 204'));
    await expectVisible(rows('token.create', tokenId).getByText('success · 201'));
    await expectVisible(rows('store.delete', storeId).getByText('success · 202'));
    await expectVisible(rows('store.upgrade', storeId));
    await expectVisible(rows('store.credentials_reveal', storeId));
    await expectVisible(rows('store.create', storeId).getByText('success · 202'));
    // The two names the API refused at the start.
    expect(await rows('store.create').filter({ hasText: 'INVALID_STORE_NAME' }).count()).toBe(2);
    await expectVisible(rows('auth.signup', email));
    // Newest first: the revocation is the first row.
    expect(await table.locator('tbody tr').first().getAttribute('data-audit-id')).toBe(
      await revoke.getAttribute('data-audit-id'),
    );
    await screenshot('17-audit');

    const filters = page.getByRole('form', { name: 'Filter the audit trail' });
    await filters.getByRole('combobox', { name: 'Outcome' }).selectOption('denied');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await rows('token.revoke').waitFor({ state: 'detached' });
    // The filtered page replaces the list once it has loaded: until then the table may be empty.
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tbody tr').filter({ hasText: 'INVALID_STORE_NAME' }).count()).toBe(2);
    await screenshot('18-audit-denied');

    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot('19-audit-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
    expect(pageErrors).toEqual([]);
  });
});

async function expectVisible(locator: Locator) {
  await locator.waitFor({ state: 'visible' });
}
