// The dashboard in Chromium as a merchant uses it: signed in through its form, on a store's page.
import type { Page } from 'playwright-core';

/** The password `signedIn` (harness.ts) gives every account. */
const PASSWORD = 'correct horse battery staple';

export async function openStorePage(page: Page, baseUrl: string, email: string, storeId: string) {
  await page.goto(`${baseUrl}/`);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('E-mail address').fill(email);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
  await page.goto(`${baseUrl}/stores/${storeId}`);
}

/** What the Domains panel shows of one domain: its state badge, the reason's code and its words. */
export async function domainOnStorePage(page: Page, hostname: string) {
  const item = page.locator(`li[data-domain="${hostname}"]`);
  await item.waitFor();
  const reason = item.locator('p[data-reason]');
  return {
    state: await item.locator('[data-state]').getAttribute('data-state'),
    reason: await reason.getAttribute('data-reason'),
    message: (await reason.textContent()) ?? '',
    text: (await item.textContent()) ?? '',
  };
}
