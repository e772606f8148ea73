// What an engine is to the platform: its chart and the values it derives from a store, the secrets it
// needs generated, where its storefront and admin are, and the images a real node must hold to run
// it. Adding an engine is one folder here plus its chart.
import { randomBytes } from 'node:crypto';
import type { Engine, StoreValues } from '@storefleet/contracts';

export interface EngineChart {
  /** Path (or reference) of the engine's chart. */
  chart: string;
  /** Environment values files (values-local.yaml / values-prod.yaml), applied before the store's own. */
  valuesFiles: string[];
}

export interface ChartInput {
  storeId: string;
  slug: string;
  /** Owner id, already made label-safe. */
  owner: string;
  secretName: string;
  ingressClass: string;
  host: string;
  storageClass: string | undefined;
  /** The merchant's own settings (from upgrades). */
  values: StoreValues;
}

/** A container of one of the store's workloads, found by its component label. */
export interface ContainerPlace {
  component: string;
  container: string;
}

/** A command run in a container: reads a backup part from its stdout, or writes one from its stdin. */
export interface DataCommand extends ContainerPlace {
  command: readonly string[];
}

/** How a store's data is backed up and restored, and what must stop while it is replaced. */
export interface BackupSpec {
  database: { dump: DataCommand; restore: DataCommand };
  /** Uploaded files, for engines that keep them (a tar of the directory). */
  files?: { dump: DataCommand; restore: DataCommand };
  /** Components that write to the database: stopped while a restore replaces it. */
  writers: readonly string[];
  /** The command a scheduled backup's pod runs (in the app's image) to ask the platform for a backup. */
  scheduleTrigger: { component: string; command: readonly string[] };
}

/** Where a store's pods must run: on the local cluster's real node, or wherever the cluster puts them. */
export type Placement = { kind: 'anywhere' } | { kind: 'node'; label: { key: string; value: string } };

export interface EngineModule {
  readonly name: Engine;
  /** The store's admin, from its storefront URL. */
  readonly adminPath: string;
  /** Images a node needs to run this engine, and why a cluster may not have them. */
  readonly images: { refs: readonly string[]; whyMissing: string };
  /** The Secret the chart reads (`existingSecret`), generated once per store. */
  secrets(slug: string): Record<string, string>;
  /** The chart values of one store; everything secret stays in the Secret. */
  values(input: ChartInput, placement: Placement): Record<string, unknown>;
  /** The merchant's settings as they were deployed (read back from a release's values). */
  storeValuesFrom(chartValues: Record<string, unknown>): StoreValues;
  readonly backup: BackupSpec;
}

/** Environment of a scheduled backup's pod: the platform's backup endpoint and the store's token. */
export const SCHEDULE_ENV = { url: 'STOREFLEET_BACKUP_URL', token: 'STOREFLEET_BACKUP_TOKEN' } as const;

export const password = (bytes = 24): string => randomBytes(bytes).toString('base64url');

/** Credentials every engine has: the admin's login and the database's passwords. */
export function commonSecrets(slug: string): Record<string, string> {
  return {
    'admin-username': 'storeadmin',
    'admin-password': password(18),
    'admin-email': `admin@${slug}.store.invalid`,
    'database-password': password(),
    'database-root-password': password(),
  };
}

/** Node selector and toleration that put pods on the real node (its taint keeps everything else off). */
export function placementValues(placement: Placement): Record<string, unknown> {
  if (placement.kind === 'anywhere') return {};
  const { key, value } = placement.label;
  return {
    nodeSelector: { [key]: value },
    tolerations: [{ key, operator: 'Equal', value, effect: 'NoSchedule' }],
  };
}
