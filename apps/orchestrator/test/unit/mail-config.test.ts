// The platform's SMTP relay: from the environment into every store's chart values, with the password
// kept out of values, logs and error messages.
import { describe, expect, it } from 'vitest';
import { storeValues } from '../../src/cluster/store-values.ts';
import { ConfigError, describeConfig, loadConfig } from '../../src/config.ts';
import { senderAddress, smtpRelay } from '../../src/mail/mail-config.ts';

const target = (engine: 'medusa' | 'woocommerce') => ({
  storeId: '0b6f7f0e-3a8e-4d53-9a0e-3f4f0f5b7c11',
  slug: 'harbour-goods',
  name: 'Harbour Goods',
  engine,
  ownerId: 'user-1',
  namespace: 'store-harbour-goods',
  release: 'store-harbour-goods',
  values: {},
  generation: 1,
});
const chart = { baseDomain: 'stores.example.com', ingressClass: 'traefik', storageClass: undefined };

describe('the SMTP relay', () => {
  it('is off without SMTP_HOST, and every chart is told so', () => {
    const config = loadConfig({});
    expect(smtpRelay(config)).toBeUndefined();
    expect(storeValues(target('medusa'), chart, { kind: 'anywhere' }).smtp).toEqual({ enabled: false });
  });

  it('reaches both engines’ charts the same way, the password only as the name of the store’s Secret', () => {
    const config = loadConfig({
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_ENCRYPTION: 'ssl',
      SMTP_USER: 'relay',
      SMTP_PASSWORD: 'hunter2-relay',
      MAIL_FROM: 'shop+{slug}@mail.example.com',
    });
    const relay = smtpRelay(config);
    for (const engine of ['medusa', 'woocommerce'] as const) {
      const values = storeValues(
        target(engine),
        { ...chart, ...(relay ? { smtp: relay } : {}) },
        { kind: 'anywhere' },
      );
      expect(values.smtp).toEqual({
        enabled: true,
        host: 'smtp.example.com',
        port: 465,
        encryption: 'ssl',
        user: 'relay',
        existingSecret: 'store-smtp',
        existingSecretPasswordKey: 'smtp-password',
        from: 'shop+harbour-goods@mail.example.com',
      });
      expect(JSON.stringify(values)).not.toContain('hunter2-relay');
    }
    expect(JSON.stringify(describeConfig(config))).not.toContain('hunter2-relay');
  });

  it('defaults to STARTTLS on 587 from orders@<store host>, and names no Secret without a password', () => {
    const relay = smtpRelay(loadConfig({ SMTP_HOST: '10.250.0.1' }));
    expect(relay).toMatchObject({ port: 587, encryption: 'tls', user: undefined, password: undefined });
    const values = storeValues(
      target('medusa'),
      { ...chart, ...(relay ? { smtp: relay } : {}) },
      { kind: 'anywhere' },
    );
    expect(values.smtp).toMatchObject({
      user: '',
      existingSecret: '',
      from: 'orders@harbour-goods.stores.example.com',
    });
    expect(senderAddress('orders@{host}', { host: 'a.localhost', slug: 'a' })).toBe('orders@a.localhost');
  });

  it('refuses settings that cannot work, naming the variable and hiding the password', () => {
    expect(() => loadConfig({ SMTP_HOST: 'smtp.example.com', SMTP_PASSWORD: 'hunter2-relay' })).toThrow(
      /SMTP_PASSWORD needs SMTP_USER/,
    );
    expect(() => loadConfig({ SMTP_HOST: 'smtp.example.com', SMTP_ENCRYPTION: 'starttls' })).toThrow(
      /SMTP_ENCRYPTION="starttls": expected "tls" \(STARTTLS\)/,
    );
    expect(() => loadConfig({ SMTP_HOST: 'bad host!' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAIL_FROM: 'Orders <orders@x>' })).toThrow(/MAIL_FROM/);
    const refusal = (() => {
      try {
        loadConfig({
          SMTP_HOST: 'smtp.example.com',
          SMTP_PORT: '99999',
          SMTP_USER: 'u',
          SMTP_PASSWORD: 'hunter2-relay',
        });
        return 'accepted';
      } catch (error) {
        return String(error);
      }
    })();
    expect(refusal).toMatch(/SMTP_PORT="99999"/);
    expect(refusal).not.toContain('hunter2-relay');
  });
});
