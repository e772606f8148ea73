// When an Active domain's certificate needs someone: the default certificate, expiry within 14 days,
// and a renewal that should have happened but did not (the certificate is still served after it).
import type { CertificateCheck } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import {
  attentionReason,
  judgeRenewal,
  needsAttention,
  renewalDue,
} from '../../src/domain/certificate-attention.ts';

const DAY = 86_400_000;
const now = new Date('2026-12-07T10:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();

/** A check of a served certificate valid from `from` to `to` days from now (undefined: not served). */
const served = (from: number, to: number): CertificateCheck => ({
  ready: true,
  reason: 'CertificateServed',
  message: 'served',
  issuer: 'Pebble Intermediate CA',
  notBefore: at(from),
  notAfter: at(to),
  checkedAt: now.toISOString(),
  lastTransitionTime: now.toISOString(),
});
const fallback: CertificateCheck = {
  ...served(-1, 30),
  ready: false,
  reason: 'DefaultCertificate',
  message: 'The ingress serves its default certificate for shop.example.com.',
};

describe('renewal', () => {
  it('is due when its ACME client renews: a third of the lifetime left, at most 30 days before the end', () => {
    // Let's Encrypt's 90 days: day 60 for both cert-manager and Traefik.
    expect(renewalDue(new Date(at(0)), new Date(at(90))).toISOString()).toBe(at(60));
    // Six days (short-lived profile): two days before the end.
    expect(renewalDue(new Date(at(0)), new Date(at(6))).toISOString()).toBe(at(4));
    // A year: Traefik waits until 30 days before the end, so nobody is blamed before then.
    expect(renewalDue(new Date(at(0)), new Date(at(365))).toISOString()).toBe(at(335));
  });

  it('leaves a certificate alone until its renewal is two days overdue', () => {
    expect(judgeRenewal(served(-10, 80), 'shop.example.com', now)).toEqual(served(-10, 80));
    // Due 1 day ago: the client may still be retrying.
    expect(judgeRenewal(served(-61, 29), 'shop.example.com', now).reason).toBe('CertificateServed');
  });

  it('calls a certificate still served well after its renewal was due a failed renewal, in words', () => {
    const judged = judgeRenewal(served(-65, 25), 'shop.example.com', now);
    expect(judged).toMatchObject({ ready: true, reason: 'RenewalFailed', notAfter: at(25) });
    expect(judged.message).toMatch(/was due for renewal on 2026-12-02/);
    expect(judged.message).toMatch(/25 days left/);
    expect(judged.message).toMatch(/renewals are failing/);
    // Short-lived certificates get a grace in proportion: due at day 4 of 6, failed from day 4.67.
    expect(judgeRenewal(served(-5, 1), 'shop.example.com', now).reason).toBe('RenewalFailed');
    expect(judgeRenewal(served(-4.5, 1.5), 'shop.example.com', now).reason).toBe('CertificateServed');
  });

  it('judges only a served certificate with both dates (older checks have no notBefore)', () => {
    expect(judgeRenewal(fallback, 'shop.example.com', now)).toBe(fallback);
    const old = { ...served(-65, 25), notBefore: undefined };
    expect(judgeRenewal(old, 'shop.example.com', now)).toBe(old);
  });
});

describe('attention', () => {
  it('has one reason: the default certificate, a failed renewal, or expiry within 14 days', () => {
    expect(attentionReason(served(-10, 80), now)).toBeNull();
    expect(attentionReason(served(-80, 10), now)).toBe('CertificateExpiringSoon');
    expect(attentionReason(judgeRenewal(served(-65, 25), 'shop.example.com', now), now)).toBe(
      'RenewalFailed',
    );
    // Both failing and expiring soon: the failure is what to act on.
    expect(attentionReason(judgeRenewal(served(-80, 10), 'shop.example.com', now), now)).toBe(
      'RenewalFailed',
    );
    expect(attentionReason(fallback, now)).toBe('DefaultCertificate');
    expect(attentionReason(null, now)).toBeNull();
    expect(needsAttention(served(-80, 10), now)).toBe(true);
    expect(needsAttention(served(-10, 80), now)).toBe(false);
  });
});
