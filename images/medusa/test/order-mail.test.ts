// The Medusa store's e-mails as text (images/medusa/app/src/mail): pure, no Medusa, no SMTP.
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatMoney,
  type OrderFacts,
  orderConfirmation,
  orderNotice,
  testMail,
} from '../app/src/mail/order-mail.ts';
import { fromHeader, parseSettingsInput, resolveSettings, smtpEnv } from '../app/src/mail/settings.ts';

const order: OrderFacts = {
  displayId: 12,
  email: 'ana@example.com',
  currency: 'eur',
  items: [
    { title: 'Cube <Mug>', quantity: 2, unitPrice: 12.5, total: 25 },
    { title: 'Tote & Bag', quantity: 1, unitPrice: 20, total: 20 },
  ],
  itemSubtotal: 45,
  discountTotal: 0,
  shippingTotal: 5,
  taxTotal: 0,
  total: 50,
  shippingMethod: 'Standard',
  shippingAddress: {
    name: 'Ana <script>',
    lines: ['1 Main St', 'Flat "2"'],
    city: 'Berlin',
    postalCode: '10115',
    countryCode: 'de',
  },
};

describe('order e-mails', () => {
  it('confirm the order to the shopper with items, totals, address and pay on delivery', () => {
    const mail = orderConfirmation(order, 'Cube Shop');
    expect(mail.subject).toBe('Order #12 confirmed — Cube Shop');
    expect(mail.text).toContain('2 × Cube <Mug> (€12.50 each): €25.00');
    expect(mail.text).toContain('1 × Tote & Bag (€20.00 each): €20.00');
    expect(mail.text).toContain('Subtotal: €45.00');
    expect(mail.text).toContain('Shipping (Standard): €5.00');
    expect(mail.text).toContain('Total: €50.00');
    expect(mail.text).toContain('10115 Berlin');
    expect(mail.text).toContain('DE');
    expect(mail.text).toContain('You pay on delivery');
    expect(mail.text).not.toContain('Tax:');
    expect(mail.html).toContain('You pay on delivery');
    expect(mail.html).toContain('€50.00');
  });

  it('escape what shoppers and merchants wrote in the HTML', () => {
    const mail = orderConfirmation(order, 'Shop <b>&</b>');
    expect(mail.html).toContain('Cube &lt;Mug&gt;');
    expect(mail.html).toContain('Tote &amp; Bag');
    expect(mail.html).toContain('Ana &lt;script&gt;');
    expect(mail.html).toContain('Flat &quot;2&quot;');
    expect(mail.html).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt;');
    expect(mail.html).not.toMatch(/<script>|<Mug>|<b>/);
  });

  it('tell the merchant about the order with its total and the shopper', () => {
    const mail = orderNotice({ ...order, taxTotal: 3.2, discountTotal: 1 }, 'Cube Shop');
    expect(mail.subject).toBe('New order #12 — €50.00');
    expect(mail.text).toContain('Customer: ana@example.com');
    expect(mail.text).toContain('Tax: €3.20');
    expect(mail.text).toContain('Discount: -€1.00');
    expect(mail.html).toContain('ana@example.com');
  });

  it('keep line breaks out of subjects', () => {
    expect(orderConfirmation(order, 'Evil\r\nBcc: x@y.z').subject).toBe(
      'Order #12 confirmed — Evil Bcc: x@y.z',
    );
    expect(testMail('Cube Shop').subject).toBe('Test e-mail from Cube Shop');
  });

  it('format money in the currency, and escape HTML', () => {
    expect(formatMoney(1234.5, 'usd')).toBe('$1,234.50');
    expect(formatMoney(3, 'jpy')).toBe('¥3');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('mail settings', () => {
  const defaults = { merchant_email: 'admin@cube-shop.localhost', sender_name: 'Cube Shop' };

  it('fall back to the defaults for what is unset or invalid', () => {
    expect(resolveSettings(undefined, defaults)).toEqual(defaults);
    expect(resolveSettings({ merchant_email: 'shop@example.com' }, defaults)).toEqual({
      merchant_email: 'shop@example.com',
      sender_name: 'Cube Shop',
    });
    expect(resolveSettings({ merchant_email: 'nope', sender_name: 'A <b>' }, defaults)).toEqual(defaults);
  });

  it('accept valid changes and refuse the rest with a reason', () => {
    expect(parseSettingsInput({ merchant_email: ' shop@example.com ', sender_name: 'Cube' })).toEqual({
      ok: true,
      value: { merchant_email: 'shop@example.com', sender_name: 'Cube' },
    });
    expect(parseSettingsInput({})).toEqual({ ok: true, value: {} });
    const refused = (body: unknown) => {
      const result = parseSettingsInput(body);
      return result.ok ? '' : result.message;
    };
    expect(refused({ merchant_email: 'not-an-address' })).toMatch(/merchant_email/);
    expect(refused({ sender_name: '' })).toMatch(/1 to 100/);
    expect(refused({ sender_name: 'x'.repeat(101) })).toMatch(/1 to 100/);
    expect(refused({ sender_name: 'Cube\nBcc: x' })).toMatch(/line breaks/);
    expect(refused({ sender_name: 'Cube "Shop"' })).toMatch(/quotes/);
    expect(refused({ colour: 'red' })).toMatch(/unknown settings: colour/);
    expect(refused([])).toMatch(/JSON object/);
  });

  it('build the From header', () => {
    expect(fromHeader('Cube Shop', 'orders@cube-shop.localhost')).toBe(
      '"Cube Shop" <orders@cube-shop.localhost>',
    );
  });
});

describe('the SMTP environment', () => {
  it('is off without SMTP_HOST', () => {
    expect(smtpEnv({})).toBeUndefined();
    expect(smtpEnv({ SMTP_HOST: ' ' })).toBeUndefined();
  });

  it('reads the chart variables, with the sender from MAIL_FROM or the store origin', () => {
    expect(
      smtpEnv({
        SMTP_HOST: 'relay.example.com',
        SMTP_PORT: '2525',
        SMTP_ENCRYPTION: 'none',
        SMTP_USER: 'shop',
        SMTP_PASSWORD: 'secret',
        MAIL_FROM: 'orders@shop.example.com',
      }),
    ).toEqual({
      host: 'relay.example.com',
      port: 2525,
      encryption: 'none',
      user: 'shop',
      password: 'secret',
      from: 'orders@shop.example.com',
    });
    expect(
      smtpEnv({ SMTP_HOST: 'relay', STORE_CORS: 'https://a.example.com,https://b.example.com' }),
    ).toMatchObject({ port: 587, encryption: 'tls', user: '', from: 'orders@a.example.com' });
    expect(() => smtpEnv({ SMTP_HOST: 'relay', SMTP_ENCRYPTION: 'starttls' })).toThrow(/tls, ssl or none/);
  });
});
