// What the orchestrator passes a store chart, from the orchestrator's own pure function: the chart
// tests render exactly the values it installs with, not a hand-kept copy of them.
import type { Engine } from '@storefleet/contracts';
import { storeValues } from '../../apps/orchestrator/src/cluster/store-values.ts';
import type { SmtpRelay } from '../../apps/orchestrator/src/mail/mail-config.ts';

export const TEST_STORE_ID = '3f6c1f0e-5b7a-4c1e-9d2a-0b8e7c6d5a41';

export function orchestratorValuesFor(
  engine: Engine,
  slug: string,
  options: {
    baseDomain?: string;
    storageClass?: string;
    replicas?: number;
    name?: string;
    smtp?: SmtpRelay;
    platformNamespace?: string;
  } = {},
): Record<string, unknown> {
  return storeValues(
    {
      storeId: TEST_STORE_ID,
      slug,
      name:
        options.name ??
        slug.replace(
          /(^|-)(\w)/g,
          (_, dash: string, letter: string) => `${dash ? ' ' : ''}${letter.toUpperCase()}`,
        ),
      engine,
      ownerId: 'merchant-1',
      namespace: `store-${slug}`,
      release: `store-${slug}`,
      values: options.replicas ? { replicas: options.replicas } : {},
      generation: 1,
    },
    {
      baseDomain: options.baseDomain ?? 'localhost',
      ingressClass: 'traefik',
      storageClass: options.storageClass,
      ...(options.smtp ? { smtp: options.smtp } : {}),
      ...(options.platformNamespace ? { platformNamespace: options.platformNamespace } : {}),
    },
    { kind: 'anywhere' },
  );
}
