// Every row of the release decision table: what a worker does next from the store (desired) and the
// release history (observed), including the cases it must refuse.
import type { ReleaseRevision, StoreState } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import {
  type DesiredRelease,
  nextAction,
  type ObservedRelease,
  observeRelease,
  type ReleaseAction,
  remedyForUnreadyRelease,
} from '../../src/domain/next-action.ts';
import { whileWaiting } from '../../src/reconciler/steps/store-steps.ts';

const deployedAt = (revision: number, generation: number) => ({
  revision,
  generation,
  chartVersion: '0.1.0',
  values: {},
});

const store = (state: StoreState, extra: Partial<DesiredRelease> = {}): DesiredRelease => ({
  state,
  generation: 2,
  deployed: null,
  ...extra,
});

const absent: ObservedRelease = { status: 'absent' };
const deployed = (
  revision: number,
  made: { generation?: number; rolledBackTo?: number } = {},
): ObservedRelease => ({
  status: 'deployed',
  revision,
  chartVersion: '0.1.0',
  generation: made.generation ?? null,
  rolledBackTo: made.rolledBackTo ?? null,
});
const failed = (revision: number): ObservedRelease => ({ status: 'failed', revision });
const EPOCH = new Date(0);
const pending = (
  phase: string,
  revision: number,
  lastDeployed: number | null,
  since: Date | null = EPOCH,
): ObservedRelease => ({ status: 'pending', phase, revision, lastDeployed, since });

/** Now, for the pending rows: helm's timeout is 10 minutes. */
const NOW = new Date('2026-12-07T10:00:00Z');
const POLICY = { now: NOW, helmTimeoutMs: 10 * 60_000 };
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const rows: [string, DesiredRelease, ObservedRelease, ReleaseAction][] = [
  // absent → install
  ['a queued store with no release installs', store('Queued'), absent, { do: 'install' }],
  ['a provisioning store with no release installs', store('Provisioning'), absent, { do: 'install' }],
  ['an upgrade whose release vanished installs it', store('Upgrading'), absent, { do: 'install' }],
  // pending-locked → unlock
  [
    'pending-install is unlocked by uninstalling',
    store('Provisioning'),
    pending('pending-install', 1, null),
    { do: 'unlock', by: 'uninstall' },
  ],
  [
    'pending-upgrade with nothing deployed before is unlocked by uninstalling',
    store('Upgrading'),
    pending('pending-upgrade', 2, null),
    { do: 'unlock', by: 'uninstall' },
  ],
  [
    'pending-upgrade is unlocked by rolling back to the last deployed revision',
    store('Upgrading'),
    pending('pending-upgrade', 3, 2),
    { do: 'unlock', by: 'rollback', revision: 2 },
  ],
  [
    'pending-rollback is unlocked before the rollback is tried again',
    store('RollingBack', { rollbackTo: 1 }),
    pending('pending-rollback', 4, 3),
    { do: 'unlock', by: 'rollback', revision: 3 },
  ],
  // pending, and a helm may still hold it (the worker that started it died; helm did not) → await
  [
    "pending-install younger than helm's timeout is awaited, not unlocked",
    store('Provisioning'),
    pending('pending-install', 1, null, minutesAgo(1)),
    { do: 'await', revision: 1 },
  ],
  [
    "pending-upgrade younger than helm's timeout is awaited",
    store('Upgrading'),
    pending('pending-upgrade', 3, 2, minutesAgo(9)),
    { do: 'await', revision: 3 },
  ],
  [
    "pending-install older than helm's timeout (and the margin) is unlocked",
    store('Provisioning'),
    pending('pending-install', 1, null, minutesAgo(11)),
    { do: 'unlock', by: 'uninstall' },
  ],
  // deployed for this request by an attempt that died before recording it → adopt
  [
    'an install made for this generation but never recorded is adopted, not upgraded',
    store('Provisioning'),
    deployed(1, { generation: 2 }),
    { do: 'adopt', revision: 1, chartVersion: '0.1.0' },
  ],
  [
    'an upgrade made for this generation but never recorded is adopted',
    store('Upgrading', { deployed: deployedAt(1, 1) }),
    deployed(2, { generation: 2 }),
    { do: 'adopt', revision: 2, chartVersion: '0.1.0' },
  ],
  [
    'a rollback to the asked revision newer than the record is adopted',
    store('RollingBack', { rollbackTo: 1, deployed: deployedAt(2, 1) }),
    deployed(3, { rolledBackTo: 1 }),
    { do: 'adopt', revision: 3, chartVersion: '0.1.0' },
  ],
  [
    'a rollback to another revision is not taken for this one',
    store('RollingBack', { rollbackTo: 1, deployed: deployedAt(2, 1) }),
    deployed(3, { rolledBackTo: 2 }),
    { do: 'rollback', revision: 1 },
  ],
  [
    'a release made for an earlier generation is upgraded',
    store('Upgrading', { deployed: deployedAt(1, 1) }),
    deployed(1, { generation: 1 }),
    { do: 'upgrade' },
  ],
  // failed → remediate
  ['a failed release is remediated', store('Provisioning'), failed(1), { do: 'remediate' }],
  ['a failed upgrade is remediated', store('Upgrading'), failed(3), { do: 'remediate' }],
  [
    'a failed release being rolled back is rolled back',
    store('RollingBack', { rollbackTo: 1 }),
    failed(3),
    { do: 'rollback', revision: 1 },
  ],
  // out of date → upgrade
  [
    'a release deployed for an earlier generation is upgraded',
    store('Upgrading', { deployed: deployedAt(1, 1) }),
    deployed(1),
    { do: 'upgrade' },
  ],
  [
    'a deployed release this store never recorded is upgraded',
    store('Provisioning'),
    deployed(1),
    { do: 'upgrade' },
  ],
  [
    'a release changed behind the store (another revision) is upgraded',
    store('Provisioning', { deployed: deployedAt(1, 2) }),
    deployed(2),
    { do: 'upgrade' },
  ],
  [
    'a rollback not yet done rolls back',
    store('RollingBack', { rollbackTo: 1, deployed: deployedAt(2, 1) }),
    deployed(2),
    { do: 'rollback', revision: 1 },
  ],
  // deployed and in sync → wait
  [
    'a resumed provisioning whose release is deployed for this generation waits',
    store('Provisioning', { deployed: deployedAt(1, 2) }),
    deployed(1),
    { do: 'wait' },
  ],
  [
    'a resumed upgrade already deployed waits',
    store('Upgrading', { deployed: deployedAt(3, 2) }),
    deployed(3),
    { do: 'wait' },
  ],
  [
    'a resumed rollback already done waits',
    store('RollingBack', { rollbackTo: 1, deployed: deployedAt(4, 2) }),
    deployed(4),
    { do: 'wait' },
  ],
  // must refuse
  ...(['Ready', 'Failed', 'Deleting', 'Deleted'] as const).map(
    (state): [string, DesiredRelease, ObservedRelease, ReleaseAction] => [
      `a ${state} store has no release work`,
      store(state),
      deployed(1),
      {
        do: 'refuse',
        reason: 'NoReleaseWork',
        message: `A store that is ${state} has no release to change.`,
      },
    ],
  ),
  [
    'a rollback without a revision is refused',
    store('RollingBack'),
    deployed(1),
    { do: 'refuse', reason: 'RevisionMissing', message: 'No revision to roll back to was given.' },
  ],
  [
    'a rollback of a release that does not exist is refused',
    store('RollingBack', { rollbackTo: 1 }),
    absent,
    {
      do: 'refuse',
      reason: 'ReleaseMissing',
      message: 'The release does not exist: there is no revision to roll back to.',
    },
  ],
  [
    'a release in sync for an earlier generation is never taken for in sync',
    store('Provisioning', { generation: 3, deployed: deployedAt(1, 2) }),
    deployed(1),
    { do: 'upgrade' },
  ],
];

describe('nextAction', () => {
  it.each(rows)('%s', (_, desired, observed, action) => {
    expect(nextAction(desired, observed, POLICY)).toEqual(action);
  });

  it('trusts what this machine can tell of the helm holding a pending release over its age', () => {
    const fresh = pending('pending-install', 1, null, minutesAgo(1));
    const old = pending('pending-install', 1, null, minutesAgo(30));
    const store2 = store('Provisioning');
    expect(nextAction(store2, fresh, { ...POLICY, helmRunning: false })).toEqual({
      do: 'unlock',
      by: 'uninstall',
    });
    expect(nextAction(store2, old, { ...POLICY, helmRunning: true })).toEqual({ do: 'await', revision: 1 });
    expect(nextAction(store2, fresh, { ...POLICY, helmRunning: undefined })).toEqual({
      do: 'await',
      revision: 1,
    });
  });
});

const entry = (revision: number, status: string, description = ''): ReleaseRevision => ({
  revision,
  status,
  chart: 'store-0.1.0',
  appVersion: '0.1.0',
  updated: new Date(0).toISOString(),
  description,
});

describe('observeRelease', () => {
  it.each<[string, ReleaseRevision[], ObservedRelease]>([
    ['no history: absent', [], absent],
    ['newest deployed', [entry(1, 'superseded'), entry(2, 'deployed')], deployed(2)],
    [
      'newest deployed names the generation it was made for',
      [entry(1, 'superseded'), entry(2, 'deployed', 'Storefleet generation 7')],
      deployed(2, { generation: 7 }),
    ],
    [
      'a rollback names the revision it restored',
      [entry(1, 'superseded'), entry(2, 'superseded'), entry(3, 'deployed', 'Rollback to 1')],
      deployed(3, { rolledBackTo: 1 }),
    ],
    ['newest failed', [entry(1, 'deployed'), entry(2, 'failed')], failed(2)],
    ['a state helm cannot build on counts as failed', [entry(1, 'uninstalling')], failed(1)],
    ['pending-install', [entry(1, 'pending-install')], pending('pending-install', 1, null)],
    [
      'pending-upgrade remembers the last deployed revision, in any listing order',
      [entry(3, 'pending-upgrade'), entry(1, 'superseded'), entry(2, 'failed')],
      pending('pending-upgrade', 3, 1),
    ],
  ])('%s', (_, history, observed) => {
    expect(observeRelease(history)).toEqual(observed);
  });
});

describe('undoing a release change whose workloads never became ready', () => {
  it.each([
    ['a first install is removed', 'provision', 'ready', null, { do: 'uninstall' }],
    ['so is one made to restore a backup', 'provision-from-backup', 'ready', null, { do: 'uninstall' }],
    [
      'an upgrade goes back to the revision the store ran',
      'upgrade',
      'ready',
      4,
      { do: 'rollback', revision: 4 },
    ],
    ['an upgrade of a store that never ran has nothing to go back to', 'upgrade', 'ready', null, undefined],
    ['a rollback is left as it is', 'rollback', 'ready', 4, undefined],
    ['a failure at another step is not about readiness', 'provision', 'serving', null, undefined],
    ['nor is a failed release step', 'upgrade', 'upgrade', 4, undefined],
  ] as const)('%s', (_, operation, step, revision, remedy) => {
    expect(remedyForUnreadyRelease(operation, step, { revision })).toEqual(remedy);
  });
});

describe('a component on its way up while the ready step waits', () => {
  it('is in progress, while one with a problem stays False and one ready stays True', () => {
    const progress = (status: 'True' | 'False' | 'Unknown', reason: string) => ({
      type: 'AppReady' as const,
      status,
      reason,
      message: 'App app: 0/1 ready.',
    });
    expect(whileWaiting(progress('False', 'Starting'))).toEqual(progress('Unknown', 'InProgress'));
    expect(whileWaiting(progress('False', 'SetupRunning'))).toEqual(progress('Unknown', 'InProgress'));
    expect(whileWaiting(progress('Unknown', 'NotCreated'))).toEqual(progress('Unknown', 'InProgress'));
    expect(whileWaiting(progress('False', 'CrashLoopBackOff'))).toEqual(
      progress('False', 'CrashLoopBackOff'),
    );
    expect(whileWaiting(progress('True', 'AppReady'))).toEqual(progress('True', 'AppReady'));
  });
});
