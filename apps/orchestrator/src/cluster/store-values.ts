// The chart values of one store, as one pure function of the store, the platform's chart settings
// and where the store's pods go.
import type { Engine } from '@storefleet/contracts';
import type { Placement } from '../engines/engine.ts';
import { engineModule } from '../engines/registry.ts';
import { type SmtpRelay, senderAddress } from '../mail/mail-config.ts';
import { type StoreTls, withIngressValues } from './ingress-values.ts';
import type { StoreTarget } from './port.ts';
import { labelValue } from './store-labels.ts';
import { SMTP_PASSWORD_KEY, SMTP_SECRET_NAME, STORE_SECRET_NAME } from './store-secrets.ts';

export interface ChartSettings {
  /** More values files per engine (ENGINE_VALUES_FILES), after the environment's. */
  valuesFiles: Record<Engine, string[]>;
  baseDomain: string;
  ingressClass: string;
  storageClass: string | undefined;
  environment: 'local' | 'production';
  /** How store hosts get certificates (STORE_TLS); unset = as the environment's values file says. */
  tls?: StoreTls;
  /** Port of https store URLs when the ingress's is not 443 (STORE_URL_TLS_PORT). */
  tlsPort?: number;
  /** The platform's SMTP relay (SMTP_*); unset: stores send no e-mail. */
  smtp?: SmtpRelay;
  /**
   * The namespace of the platform's pods (ORCHESTRATOR_SERVICE_ACCOUNT's): its orchestrator may reach
   * each store's app (order insights, the Medusa admin API) through the store's NetworkPolicies.
   */
  platformNamespace?: string;
}

/** Non-secret values for one store; everything secret is in the store Secret. */
export function storeValues(
  target: StoreTarget,
  chart: Pick<
    ChartSettings,
    'baseDomain' | 'ingressClass' | 'storageClass' | 'tls' | 'tlsPort' | 'smtp' | 'platformNamespace'
  >,
  placement: Placement,
): Record<string, unknown> {
  const host = `${target.slug}.${chart.baseDomain}`;
  const values = engineModule(target.engine).values(
    {
      storeId: target.storeId,
      slug: target.slug,
      name: target.name,
      owner: labelValue(target.ownerId),
      secretName: STORE_SECRET_NAME,
      ingressClass: chart.ingressClass,
      host,
      storageClass: chart.storageClass,
      values: target.values,
    },
    placement,
  );
  return {
    ...withIngressValues(values, chart.tls, target.values.domains, chart.tlsPort),
    smtp: smtpValues(chart.smtp, { host, slug: target.slug }),
    ...(chart.platformNamespace ? { networkPolicy: { platformNamespace: chart.platformNamespace } } : {}),
  };
}

/** Every engine's chart takes the same `smtp` values; the password stays in the store's SMTP Secret. */
export function smtpValues(
  relay: SmtpRelay | undefined,
  store: { host: string; slug: string },
): Record<string, unknown> {
  if (!relay) return { enabled: false };
  return {
    enabled: true,
    host: relay.host,
    port: relay.port,
    encryption: relay.encryption,
    user: relay.user ?? '',
    existingSecret: relay.password === undefined ? '' : SMTP_SECRET_NAME,
    existingSecretPasswordKey: SMTP_PASSWORD_KEY,
    from: senderAddress(relay.fromPattern, store),
  };
}
