// Debian's Chromium through playwright-core, headless, in a throw-away profile.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const CHROMIUM = process.env.STOREFLEET_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** The profile directory; screenshots may go there too. */
  dir: string;
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** More command-line switches (e.g. `--host-resolver-rules=MAP shop.example.test 127.0.0.1`). */
  args?: string[];
  /** Root certificates (PEM) Chromium trusts, through an NSS database of the profile's own HOME. */
  trustedRoots?: string[];
}

export async function launchBrowser(
  viewport: { width: number; height: number },
  options: BrowserOptions = {},
): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'storefleet-chromium-'));
  const home = join(dir, 'home');
  if (options.trustedRoots?.length) trustRoots(home, options.trustedRoots);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      ...(options.args ?? []),
    ],
    viewport,
    // Chromium on Linux reads the certificates it trusts from $HOME/.pki/nssdb.
    ...(options.trustedRoots?.length ? { env: { ...process.env, HOME: home } } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  return {
    context,
    page,
    dir,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An NSS database (Debian's certutil, libnss3-tools) at `home`/.pki/nssdb trusting each root for TLS servers. */
function trustRoots(home: string, roots: string[]): void {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  roots.forEach((pem, i) => {
    const file = join(home, `root-${i}.pem`);
    writeFileSync(file, pem);
    execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', `test-root-${i}`, '-i', file]);
  });
}
