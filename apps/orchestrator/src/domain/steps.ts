// The steps each operation walks through, and the condition each one makes true.
import type { ConditionType } from '@storefleet/contracts';

export const PROVISION_STEPS = ['namespace', 'secrets', 'release', 'ready'] as const;
export const DELETE_STEPS = ['uninstall', 'namespace-delete'] as const;
export const RELEASE_STEPS = ['upgrade', 'rollback'] as const;
export type ProvisionStep = (typeof PROVISION_STEPS)[number];
export type DeleteStep = (typeof DELETE_STEPS)[number];
export type Step = ProvisionStep | DeleteStep | (typeof RELEASE_STEPS)[number];

/** Conditions each step sets; the `ready` step covers the three workload conditions. */
export const STEP_CONDITIONS: Record<Step, readonly ConditionType[]> = {
  namespace: ['NamespaceReady'],
  secrets: ['SecretsReady'],
  release: ['ReleaseDeployed'],
  ready: ['DatabaseReady', 'AppReady', 'StoreConfigured'],
  upgrade: ['ReleaseDeployed'],
  rollback: ['ReleaseDeployed'],
  uninstall: [],
  'namespace-delete': [],
};

export const STEP_TITLES: Record<Step, string> = {
  namespace: 'create the namespace',
  secrets: 'write the store secrets',
  release: 'install the Helm release',
  ready: 'wait for the database, the app and the setup job',
  uninstall: 'uninstall the Helm release',
  'namespace-delete': 'delete the namespace',
  upgrade: 'upgrade the Helm release',
  rollback: 'roll the Helm release back',
};
