// Medusa v2 with our storefront: charts/medusa, image images/medusa.
import type { StoreValues } from '@storefleet/contracts';
import { type ChartInput, commonSecrets, type EngineModule, password, placementValues } from '../engine.ts';

export const medusa: EngineModule = {
  name: 'medusa',
  adminPath: '/app/',
  images: {
    refs: ['storefleet.local/medusa:2.21.2', 'storefleet.local/postgres:15'],
    whyMissing: 'its images are built from images/medusa and tools/testcluster/images/postgres and imported',
  },
  secrets(slug) {
    return { ...commonSecrets(slug), 'jwt-secret': password(32), 'cookie-secret': password(32) };
  },
  values(input: ChartInput, placement) {
    return {
      store: { id: input.storeId, slug: input.slug, owner: input.owner },
      existingSecret: input.secretName,
      ingress: { className: input.ingressClass, host: input.host },
      ...(input.storageClass ? { persistence: { storageClass: input.storageClass } } : {}),
      ...(input.values.replicas === undefined ? {} : { medusa: { replicas: input.values.replicas } }),
      ...placementValues(placement),
    };
  },
  storeValuesFrom(chartValues): StoreValues {
    const replicas = (chartValues.medusa as { replicas?: unknown } | undefined)?.replicas;
    return typeof replicas === 'number' ? { replicas } : {};
  },
};
