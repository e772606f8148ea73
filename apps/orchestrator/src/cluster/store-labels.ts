// The labels Storefleet puts on what it creates for a store, and the selector for the store charts'
// workloads.
import type { StoreTarget } from './port.ts';

/**
 * The store chart's workloads and their pods, in any namespace: the charts label each with the
 * component (database, app, setup, cron) it is.
 */
export const STORE_WORKLOAD_SELECTOR = 'app.kubernetes.io/component,app.kubernetes.io/instance';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  storeId: 'storefleet.io/store-id',
  owner: 'storefleet.io/owner',
} as const;

export function storeLabels(target: Pick<StoreTarget, 'storeId' | 'ownerId'>): Record<string, string> {
  return {
    [LABELS.managedBy]: 'storefleet',
    [LABELS.storeId]: target.storeId,
    [LABELS.owner]: labelValue(target.ownerId),
  };
}

/** Kubernetes label values: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
export function labelValue(value: string): string {
  return (
    value
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'unknown'
  );
}
