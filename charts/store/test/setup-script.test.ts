// The setup script under bash against a recording stand-in for wp-cli: the order of its steps, that
// it stops naming the step on an error, and that running it again changes nothing. (That wp-cli and
// WordPress do what the stand-in pretends is shown on a real cluster: scripts/e2e-order.ts.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART } from './support/chart.ts';
import { FAKE_WP_SOURCE, fakeWp } from './support/fake-wp.ts';

const SCRIPT = join(CHART, 'files', 'setup-store.sh');
const CATALOGUE = join(CHART, 'files', 'sample-products.csv');
const ADMIN_PASSWORD = 'correct horse battery staple';

const STEPS = [
  'environment',
  'database',
  'core',
  'site',
  'woocommerce',
  'storefront',
  'woocommerce-database',
  'pages',
  'permalinks',
  'store-details',
  'shipping',
  'cash-on-delivery',
  'guest-checkout',
  'coming-soon',
  'onboarding',
  'products',
];

/** wp calls that change the store. */
const MUTATING =
  /^(core install|option (update|add|patch|delete)|(plugin|theme) (install|activate)|rewrite structure|term create|search-replace|wc update|wc tool run|wc \S+ (create|update|delete))\b/;

function baseEnv(state: string, bin: string): Record<string, string> {
  return {
    PATH: `${bin}:${process.env.PATH}`,
    FAKE_WP_STATE: state,
    WORDPRESS_DB_HOST: 'store-cube-shop-db',
    WORDPRESS_DB_NAME: 'wordpress',
    WORDPRESS_DB_USER: 'wordpress',
    WORDPRESS_DB_PASSWORD: 'database secret',
    SITE_URL: 'http://cube-shop.localhost',
    STORE_TITLE: 'Cube Shop',
    ADMIN_USER: 'storeadmin',
    ADMIN_PASSWORD,
    ADMIN_EMAIL: 'admin@cube-shop.store.invalid',
    DATABASE_WAIT_SECONDS: '4',
    WOOCOMMERCE_VERSION: '11.1.2',
    WOOCOMMERCE_PACKAGE: '/packages/woocommerce.zip',
    STOREFRONT_VERSION: '4.6.2',
    STOREFRONT_PACKAGE: '/packages/storefront.zip',
    STORE_ADDRESS: '1 Market Street',
    STORE_CITY: 'San Francisco',
    STORE_POSTCODE: '94105',
    STORE_COUNTRY: 'US:CA',
    STORE_CURRENCY: 'USD',
    SAMPLE_PRODUCTS: CATALOGUE,
  };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  steps: string[];
  calls: string[];
}

function runScript(state: string, bin: string, env: Record<string, string | undefined> = {}): Run {
  const log = join(state, 'calls.log');
  const before = readLog(log).length;
  const result = spawnSync('bash', [SCRIPT], {
    env: Object.fromEntries(
      Object.entries({ ...baseEnv(state, bin), ...env }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    steps: [...result.stdout.matchAll(/^storefleet-setup: step (\S+)$/gm)].map((m) => m[1]!),
    calls: readLog(log).slice(before),
  };
}

function readLog(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Every file of the simulated store but the call log, with its content. */
function snapshot(state: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name !== 'calls.log') files[relative(state, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(state);
  return files;
}

describe('shellcheck', { timeout: 30_000 }, () => {
  for (const file of [SCRIPT, FAKE_WP_SOURCE]) {
    it(`finds nothing in ${relative(CHART, file)}`, () => {
      const result = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
      if (result.error)
        throw new Error(
          `shellcheck is missing (node scripts/setup.mjs --for-tests installs it): ${result.error.message}`,
        );
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }
});

describe('the setup script against a stand-in wp-cli', { timeout: 60_000 }, () => {
  it('sets up a new store step by step, then changes nothing when run again', () => {
    const { bin, state } = fakeWp();
    const first = runScript(state, bin);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.steps).toEqual(STEPS);
    expect(first.stdout).toMatch(/store ready at http:\/\/cube-shop.localhost$/m);

    const store = snapshot(state);
    expect(store['options/home']).toBe('http://cube-shop.localhost');
    expect(store['options/blogname']).toBe('Cube Shop');
    expect(store['plugins/woocommerce']).toBe('11.1.2');
    expect(store['themes/storefront']).toBe('4.6.2');
    expect(store).toHaveProperty(['plugins/woocommerce.active']);
    expect(store).toHaveProperty(['themes/storefront.active']);
    expect(store['options/permalink_structure']).toBe('/%postname%/');
    expect(store['options/woocommerce_default_country']).toBe('US:CA');
    expect(store['options/woocommerce_currency']).toBe('USD');
    expect(store['options/woocommerce_cod_settings']).toContain('"enabled":"yes"');
    expect(store['options/woocommerce_enable_guest_checkout']).toBe('yes');
    expect(store['options/woocommerce_coming_soon']).toBe('no');
    expect(store['options/woocommerce_onboarding_profile']).toBe('{"skipped":true}');
    expect(store['shipping/methods']).toBe('free_shipping\n');
    for (const page of ['shop', 'cart', 'checkout', 'myaccount']) {
      expect(store[`posts/${store[`options/woocommerce_${page}_page_id`]}`]).toBe('publish');
    }
    const skus = readFileSync(CATALOGUE, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(skus).toHaveLength(12);
    expect(
      Object.keys(store)
        .filter((f) => f.startsWith('products/'))
        .sort(),
    ).toEqual(skus.map((sku) => `products/${sku}`).sort());
    expect(
      Object.keys(store)
        .filter((f) => f.startsWith('terms/'))
        .sort(),
    ).toEqual(['brewing', 'coffee', 'gifts', 'tableware', 'tea'].map((slug) => `terms/${slug}`));
    expect(first.calls.filter((call) => MUTATING.test(call)).length).toBeGreaterThan(20);

    const second = runScript(state, bin);
    expect(second.status).toBe(0);
    expect(second.steps).toEqual(STEPS);
    expect(second.calls.filter((call) => MUTATING.test(call))).toEqual([]);
    expect(snapshot(state)).toEqual(store);
  });

  it('hands the admin password to wp-cli on standard input, never on a command line', () => {
    const { bin, state } = fakeWp();
    const run = runScript(state, bin);
    expect(run.status).toBe(0);
    expect(readFileSync(join(state, 'admin-password'), 'utf8')).toBe(ADMIN_PASSWORD);
    expect(run.calls.join('\n')).not.toContain(ADMIN_PASSWORD);
    expect(run.calls.join('\n')).not.toContain('database secret');
  });

  it('stops at the first error, naming the step, and leaves the later steps undone', () => {
    const { bin, state } = fakeWp();
    const run = runScript(state, bin, { FAKE_WP_FAIL: 'plugin activate woocommerce' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/FAILED in step "woocommerce"/);
    expect(run.steps.at(-1)).toBe('woocommerce');
    expect(run.calls.some((call) => call.startsWith('theme'))).toBe(false);
  });

  it('fails in the step of a failed product import, and a rerun after the fix completes the store', () => {
    const { bin, state } = fakeWp();
    const failed = runScript(state, bin, { FAKE_WP_FAIL: 'wc product create *--sku=SF-TEA-EARL*' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/FAILED in step "products"/);
    const fixed = runScript(state, bin);
    expect(fixed.status).toBe(0);
    const product = (sku: string) => expect.stringMatching(new RegExp(`^wc product create .*--sku=${sku} `));
    const category = (name: string) =>
      `term create product_cat ${name} --slug=${name.toLowerCase()} --porcelain`;
    expect(fixed.calls.filter((call) => MUTATING.test(call))).toEqual([
      product('SF-TEA-EARL'),
      product('SF-TEA-ROOIB'),
      category('Brewing'),
      product('SF-ACC-DRIPPER'),
      product('SF-ACC-FILTERS'),
      product('SF-ACC-KETTLE'),
      product('SF-ACC-GRINDER'),
      category('Tableware'),
      product('SF-MUG-STONE'),
      category('Gifts'),
      product('SF-GIFT-BOX'),
    ]);
  });

  it('fails in the database step when the database never answers', () => {
    const { bin, state } = fakeWp();
    const run = runScript(state, bin, { FAKE_WP_DB_DOWN: '1', DATABASE_WAIT_SECONDS: '1' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /FAILED in step "database": the database at store-cube-shop-db did not accept/,
    );
  });

  it('fails in the environment step when a setting is missing', () => {
    const { bin, state } = fakeWp();
    const run = runScript(state, bin, { ADMIN_PASSWORD: undefined });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /FAILED in step "environment": environment variable ADMIN_PASSWORD is not set/,
    );
    expect(run.calls).toEqual([]);
  });

  it('refuses a malformed catalogue line, naming it', () => {
    const { bin, state } = fakeWp();
    const csv = join(state, '..', 'bad.csv');
    writeFileSync(csv, 'sku,name,category,price,stock,description\nSF-X,Thing,Misc,twelve,3,Bad price\n');
    const run = runScript(state, bin, { SAMPLE_PRODUCTS: csv });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/FAILED in step "products": .*bad.csv line 2: bad price 'twelve'/);
  });

  it('upgrades an older WooCommerce and updates its database, and leaves a newer one alone', () => {
    const { bin, state } = fakeWp();
    expect(runScript(state, bin, { WOOCOMMERCE_VERSION: '11.0.3' }).status).toBe(0);
    const upgrade = runScript(state, bin);
    expect(upgrade.status).toBe(0);
    expect(upgrade.stdout).toMatch(/upgraded woocommerce 11.0.3 -> 11.1.2/);
    expect(upgrade.calls).toContain('wc update');
    expect(readFileSync(join(state, 'options', 'woocommerce_db_version'), 'utf8')).toBe('11.1.2');

    const older = runScript(state, bin, { WOOCOMMERCE_VERSION: '10.9.0' });
    expect(older.status).toBe(0);
    expect(older.stdout).toMatch(/woocommerce 11.1.2 is newer than the pinned 10.9.0; left as it is/);
    expect(older.calls.filter((call) => MUTATING.test(call))).toEqual([]);
  });

  it('leaves a trashed sample product in the trash on a rerun instead of failing on its SKU', () => {
    const { bin, state } = fakeWp();
    expect(runScript(state, bin).status).toBe(0);
    const id = readFileSync(join(state, 'products', 'SF-TEA-EARL'), 'utf8').trim();
    writeFileSync(join(state, 'posts', id), 'trash');
    const rerun = runScript(state, bin);
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(/product SF-TEA-EARL is in the trash; left there/);
    expect(rerun.calls.filter((call) => MUTATING.test(call))).toEqual([]);
    expect(readFileSync(join(state, 'posts', id), 'utf8')).toBe('trash');
  });

  it("replaces the old URL in the database when the store's host changes, once", () => {
    const { bin, state } = fakeWp();
    expect(runScript(state, bin).status).toBe(0);
    const footer = join(state, 'options', 'woocommerce_email_footer_text');
    writeFileSync(footer, 'Visit http://cube-shop.localhost/shop for more');
    const moved = runScript(state, bin, { SITE_URL: 'https://shop.example.test' });
    expect(moved.stderr).toBe('');
    expect(moved.status).toBe(0);
    expect(moved.calls.filter((call) => MUTATING.test(call))).toEqual([
      'search-replace http://cube-shop.localhost https://shop.example.test --all-tables-with-prefix --skip-columns=guid --report-changed-only',
    ]);
    expect(moved.stdout).toMatch(/replaced http:\/\/cube-shop.localhost with https:\/\/shop.example.test/);
    expect(readFileSync(footer, 'utf8')).toBe('Visit https://shop.example.test/shop for more');
    expect(readFileSync(join(state, 'options', 'home'), 'utf8')).toBe('https://shop.example.test');
    expect(readFileSync(join(state, 'options', 'siteurl'), 'utf8')).toBe('https://shop.example.test');
    const again = runScript(state, bin, { SITE_URL: 'https://shop.example.test' });
    expect(again.status).toBe(0);
    expect(again.calls.filter((call) => MUTATING.test(call))).toEqual([]);
  });

  it('skips the catalogue when sample products are off', () => {
    const { bin, state } = fakeWp();
    const run = runScript(state, bin, { SAMPLE_PRODUCTS: '' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/sample products disabled/);
    expect(run.calls.some((call) => call.startsWith('wc product'))).toBe(false);
  });
});
