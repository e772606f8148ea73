// A shopper's checkout in Chromium through our storefront: one T-shirt into the cart, the address
// below, standard shipping, pay on delivery, "Place order".
import type { Page } from 'playwright-core';

/** Where every checkout ships to. */
export const SHIPPING = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  address: 'Harbour Street 1',
  city: 'Hamburg',
  postalCode: '20457',
  country: 'de',
} as const;

export async function checkout(
  page: Page,
  storefront: string,
  email: string,
): Promise<{
  /** The number the confirmation page shows. */
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
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('First name').fill(SHIPPING.firstName);
  await page.getByLabel('Last name').fill(SHIPPING.lastName);
  await page.getByLabel('Address').fill(SHIPPING.address);
  await page.getByLabel('City').fill(SHIPPING.city);
  await page.getByLabel('Postal code').fill(SHIPPING.postalCode);
  await page.getByLabel('Country').selectOption(SHIPPING.country);
  await page.getByRole('radio', { name: /Standard shipping/ }).check();
  const placedAt = Date.now();
  await page.getByRole('button', { name: 'Place order' }).click();
  const heading = page.getByRole('heading', { name: /Order #\d+/ });
  await heading.waitFor();
  const orderNumber = /Order #(\d+)/.exec((await heading.textContent()) ?? '')?.[1] ?? '';
  return { orderNumber, placedAt };
}
