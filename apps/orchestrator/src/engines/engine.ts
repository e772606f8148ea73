// What an engine is to the platform: its chart and the values it derives from a store, the secrets it
// needs generated, its display name, components and login style, where its storefront and admin are,
// the images a real node must hold to run it, and how its data is backed up. Adding an engine is one
// folder (here, or named in ENGINE_MODULES) plus its chart: nothing else names engines.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  name: string;
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

/**
 * One part of a store's data as a backup Job in the store's namespace reaches it (BACKUP_TARGET=s3):
 * the commands run in the backup agent's image, over the network or on a volume of the store, never
 * in the store's own containers, so the dump streams from the store to the bucket without passing
 * through the platform.
 */
export interface JobDataCommands {
  /** Writes the part to stdout. */
  dump: readonly string[];
  /** Reads the part from stdin and replaces the store's. */
  restore: readonly string[];
  /** Plain environment of the commands (the database's host, user, name). */
  env: Readonly<Record<string, string>>;
  /** Environment from the store's Secret: variable name → key in the Secret. */
  secretEnv: Readonly<Record<string, string>>;
  /** The workload the commands talk to (by component label) and its port: the Job's NetworkPolicy lets exactly this. */
  reaches?: { component: string; port: number; host: string };
  /** A volume of the store, mounted at `mountPath`, on the node of a pod of `beside` (ReadWriteOnce). */
  volume?: { claim: string; mountPath: string; beside: string };
  /** The user the commands run as (the owner of the files a restore writes). */
  runAsUser?: number;
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
  /**
   * The parts as a backup Job reaches them, for the store whose Helm release is `release`; engines
   * without it back up to the volume target only.
   */
  job?: (release: string) => { database: JobDataCommands; files?: JobDataCommands };
}

/** A chart's `fullname`: the release name cut to `length` (a Helm convention), without a trailing dash. */
export function chartFullname(release: string, length: number): string {
  return release.slice(0, length).replace(/-+$/, '');
}

/** Where a store's pods must run: on the local cluster's real node, or wherever the cluster puts them. */
export type Placement = { kind: 'anywhere' } | { kind: 'node'; label: { key: string; value: string } };

export interface EngineModule {
  readonly name: Engine;
  /** The engine as people know it. */
  readonly displayName: string;
  /** The engine's chart: a directory holding Chart.yaml (and values-local.yaml / values-prod.yaml). */
  readonly chart: string;
  /** The Deployments (by component label) that serve its stores: the app is ready when all of them are. */
  readonly appComponents: readonly string[];
  /** What its admin signs in with. */
  readonly login: 'email' | 'username';
  /** The store's admin, from its storefront URL. */
  readonly adminPath: string;
  /** A path of the store's host that only its own app answers once it serves (readiness through the ingress). */
  readonly servingPath: string;
  /**
   * The Content-Type the app answers `servingPath` with, when another workload of the store answers
   * any path too (Medusa's storefront, with its page, before the ingress routes the app's paths).
   */
  readonly servingContentType?: string;
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

/** The repository's root, for engines whose charts live under charts/ (the image keeps the layout). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** An engine's chart with its environment's values file (values-local.yaml / values-prod.yaml), then `extra`. */
export function engineChart(
  module: Pick<EngineModule, 'chart'>,
  environment: 'local' | 'production',
  extra: readonly string[] = [],
): EngineChart {
  const environmentValues = join(
    module.chart,
    environment === 'production' ? 'values-prod.yaml' : 'values-local.yaml',
  );
  return {
    chart: module.chart,
    valuesFiles: [...(existsSync(environmentValues) ? [environmentValues] : []), ...extra],
  };
}

/** A chart of the repository's charts/ directory. */
export const repoChart = (name: string): string => join(REPO_ROOT, 'charts', name);

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
