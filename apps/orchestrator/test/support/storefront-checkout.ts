// A shopper's checkout in Chromium through our storefront: one product into the cart, the address,
// standard shipping, "Place order". Returns the order number the confirmation page shows.
import type { Page } from 'playwright-core';

export interface Shopper {
  email: string;
  firstName: string;
  lastName: string;
  address: string;
  city: string;
  postalCode: string;
  country: string;
}

export async function checkoutInBrowser(
  page: Page,
  storefront: string,
  shopper: Shopper,
): Promise<{
  orderNumber: string;
  /** When "Place order" was clicked (ms since the epoch). */
  placedAt: number;
}> {
  await page.goto(storefront);
  await page
    .getByRole('link', { name: /Fleet T-Shirt/ })
    .first()
    .click();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('link', { name: /Cart \(1\)/ }).click();
  await page
    .getByRole('link', { name: 'Checkout' })
    .or(page.getByRole('button', { name: 'Checkout' }))
    .click();
  await page.getByLabel('Email').fill(shopper.email);
  await page.getByLabel('First name').fill(shopper.firstName);
  await page.getByLabel('Last name').fill(shopper.lastName);
  await page.getByLabel('Address').fill(shopper.address);
  await page.getByLabel('City').fill(shopper.city);
  await page.getByLabel('Postal code').fill(shopper.postalCode);
  await page.getByLabel('Country').selectOption(shopper.country);
  await page.getByRole('radio', { name: /Standard shipping/ }).check();
  const placedAt = Date.now();
  await page.getByRole('button', { name: 'Place order' }).click();
  const heading = page.getByRole('heading', { name: /Order #\d+/ });
  await heading.waitFor();
  const orderNumber = /Order #(\d+)/.exec((await heading.textContent()) ?? '')?.[1] ?? '';
  return { orderNumber, placedAt };
}
