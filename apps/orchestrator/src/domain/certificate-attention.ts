// When an Active domain's certificate needs someone, pure, from what the ingress serves: the default
// certificate (or none), an expired one, one its issuer should have renewed by now (the renewals are
// failing, long before it expires), or one expiring within 14 days.
import type { CertificateCheck } from '@storefleet/contracts';
import { CERTIFICATE_WARNING_DAYS } from '@storefleet/contracts';

const DAY_MS = 86_400_000;
/** Traefik's resolver renews 30 days before the end (its default for 90-day certificates). */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/** How long a renewal may lag before it counts as failed: Traefik tries daily, cert-manager backs off to hours. */
const RENEWAL_GRACE_MS = 2 * DAY_MS;

/**
 * When the certificate's ACME client renews it: cert-manager when a third of its lifetime is left,
 * Traefik 30 days before its end; the later of the two, so that neither is blamed too early.
 */
export function renewalDue(notBefore: Date, notAfter: Date): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return new Date(notAfter.getTime() - Math.min(lifetime / 3, RENEW_BEFORE_MS));
}

/**
 * A valid certificate still served well after it was due for renewal: its renewals are failing
 * (reason RenewalFailed; it still serves, so `ready` stays true). Other checks pass unchanged.
 */
export function judgeRenewal(check: CertificateCheck, hostname: string, now: Date): CertificateCheck {
  if (!check.ready || !check.notBefore || !check.notAfter) return check;
  const notBefore = new Date(check.notBefore);
  const notAfter = new Date(check.notAfter);
  const due = renewalDue(notBefore, notAfter);
  const grace = Math.min(RENEWAL_GRACE_MS, (notAfter.getTime() - due.getTime()) / 3);
  if (now.getTime() < due.getTime() + grace) return check;
  const days = Math.max(0, Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS));
  return {
    ...check,
    reason: 'RenewalFailed',
    message: `The certificate for ${hostname} from ${check.issuer ?? 'its issuer'} was due for renewal on ${due.toISOString().slice(0, 10)}, but the ingress still serves it (valid until ${check.notAfter.slice(0, 10)}, ${days} days left): its renewals are failing. Check that ${hostname} still reaches this platform's ingress on ports 80 and 443, and the ACME client's log (cert-manager's Certificate, or Traefik's).`,
  };
}

/** Why the certificate needs someone, in one word; null when it does not. */
export function attentionReason(check: CertificateCheck | null, now: Date): string | null {
  if (!check) return null;
  if (!check.ready || check.reason === 'RenewalFailed') return check.reason;
  if (!check.notAfter) return null;
  const left = new Date(check.notAfter).getTime() - now.getTime();
  return left < CERTIFICATE_WARNING_DAYS * DAY_MS ? 'CertificateExpiringSoon' : null;
}

export const needsAttention = (check: CertificateCheck | null, now: Date): boolean =>
  attentionReason(check, now) !== null;
