import { STORE_STATES, type StoreState } from '@storefleet/contracts';
import { describe, expect, it } from 'vitest';
import { allConditionsTrue, initialConditions, setCondition } from '../../src/domain/conditions.ts';
import { canTransition } from '../../src/domain/lifecycle.ts';
import { retryDelayMs, shouldRetry } from '../../src/domain/retry.ts';
import { SLUG_MAX_LENGTH, slugForStoreName, slugify } from '../../src/domain/slug.ts';
import { mayHaveClusterResources, newStore, provisioningSeconds } from '../../src/domain/store.ts';
import { storeUrls } from '../../src/domain/urls.ts';
import { AppError } from '../../src/errors.ts';

describe('store names become DNS-1123 slugs', () => {
  it.each([
    ['Acme Shoes', 'acme-shoes'],
    ['  Café Crème  ', 'cafe-creme'],
    ['ALL CAPS STORE', 'all-caps-store'],
    ['a--b__c', 'a-b-c'],
    ['2024 Deals!', '2024-deals'],
    ['Ünïcödé Shop', 'unicode-shop'],
  ])('%j → %j', (name, slug) => {
    expect(slugForStoreName(name)).toBe(slug);
    expect(`store-${slug}`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it.each([
    ['!!!', /no letters or digits/],
    ['ab', /too short/],
    ['x'.repeat(SLUG_MAX_LENGTH + 1), /too long: .* has 41 characters, the limit is 40/],
    ['Admin', /reserved/],
    ['kube-system', /reserved/],
    ['Storefleet', /reserved/],
    ['bad\u0007name', /control characters/],
  ])('refuses %j with a reason', (name, reason) => {
    let caught: unknown;
    try {
      slugForStoreName(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('INVALID_STORE_NAME');
    expect((caught as AppError).kind).toBe('validation');
    expect((caught as AppError).message).toMatch(reason);
  });

  it('keeps namespace and release names within Kubernetes and Helm limits at the longest slug', () => {
    const slug = slugForStoreName('y'.repeat(SLUG_MAX_LENGTH));
    expect(`store-${slug}`.length).toBeLessThanOrEqual(53);
    expect(slugify('---')).toBe('');
  });
});

describe('lifecycle transitions', () => {
  const allowed: Record<StoreState, StoreState[]> = {
    Queued: ['Provisioning', 'Failed', 'Deleting'],
    // A store created from a backup stays Provisioning through its restore steps (a plan of its own).
    Provisioning: ['Ready', 'Failed', 'Deleting'],
    Ready: ['Upgrading', 'RollingBack', 'Deleting', 'BackingUp', 'Restoring', 'Sleeping'],
    // Retry runs the failed operation again: every plan whose retry rule allows it.
    Failed: ['Queued', 'Upgrading', 'RollingBack', 'Deleting', 'Restoring', 'Waking', 'Sleeping'],
    Upgrading: ['Ready', 'Failed', 'Deleting'],
    RollingBack: ['Ready', 'Failed', 'Deleting'],
    Deleting: ['Deleted', 'Failed'],
    Deleted: [],
    // A failed backup leaves the store Ready: the failure is the backup's, not the store's.
    BackingUp: ['Ready', 'Deleting'],
    Restoring: ['Ready', 'Failed', 'Deleting'],
    Sleeping: ['Asleep', 'Failed', 'Deleting'],
    Asleep: ['Waking', 'Deleting'],
    Waking: ['Ready', 'Failed', 'Deleting'],
  };
  const pairs = STORE_STATES.flatMap((from) => STORE_STATES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s follows the table', (from, to) => {
    const expected = allowed[from].includes(to);
    expect(canTransition(from, to)).toBe(expected);
  });

  it('every state but Deleted can be deleted, and Deleted is final', () => {
    for (const state of STORE_STATES) {
      if (state === 'Deleted' || state === 'Deleting') continue;
      expect(canTransition(state, 'Deleting')).toBe(true);
    }
    expect(STORE_STATES.some((to) => canTransition('Deleted', to))).toBe(false);
  });
});

describe('conditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:00:05Z');
  const t2 = new Date('2026-01-01T00:00:09Z');

  it('moves lastTransitionTime only when the status changes', () => {
    const start = initialConditions(t0);
    const inProgress = setCondition(
      start,
      { type: 'AppReady', status: 'Unknown', reason: 'InProgress', message: 'x' },
      t1,
    );
    expect(inProgress.find((c) => c.type === 'AppReady')?.lastTransitionTime).toBe(t0.toISOString());
    const done = setCondition(
      inProgress,
      { type: 'AppReady', status: 'True', reason: 'AppReady', message: 'ok' },
      t2,
    );
    expect(done.find((c) => c.type === 'AppReady')).toEqual({
      type: 'AppReady',
      status: 'True',
      reason: 'AppReady',
      message: 'ok',
      lastTransitionTime: t2.toISOString(),
    });
    expect(done.map((c) => c.type)).toEqual(start.map((c) => c.type));
  });

  it('is all true only when every condition type is True', () => {
    let conditions = initialConditions(t0);
    expect(allConditionsTrue(conditions)).toBe(false);
    for (const c of initialConditions(t0)) {
      conditions = setCondition(
        conditions,
        { type: c.type, status: 'True', reason: 'Done', message: '' },
        t1,
      );
    }
    expect(allConditionsTrue(conditions)).toBe(true);
  });
});

describe('retry policy', () => {
  const policy = { maxRetries: 3, backoffMs: 1000, maxBackoffMs: 5000 };

  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [2, 1, 2000],
    [3, 0.5, 3000],
    [4, 1, 5000],
    [10, 0, 2500],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(retryDelayMs(policy, attempt, () => random)).toBe(expected);
  });

  it.each([
    [1, true, true],
    [3, true, true],
    [4, true, false],
    [1, false, false],
  ])('after attempt %i (retryable %s) retries: %s', (attempt, retryable, expected) => {
    expect(shouldRetry(policy, attempt, retryable)).toBe(expected);
  });
});

describe('a new store', () => {
  it('starts Queued with every condition Unknown and names derived from the slug', () => {
    const now = new Date('2026-02-02T10:00:00Z');
    const store = newStore({
      id: '00000000-0000-4000-8000-000000000001',
      name: 'Acme',
      slug: 'acme',
      engine: 'woocommerce',
      ownerId: 'u1',
      resourcePrefix: 'store-',
      now,
    });
    expect(store).toMatchObject({
      state: 'Queued',
      namespace: 'store-acme',
      release: 'store-acme',
      attempts: 0,
    });
    expect(store.conditions.every((c) => c.status === 'Unknown')).toBe(true);
    expect(mayHaveClusterResources(store)).toBe(false);
    expect(provisioningSeconds(store)).toBeNull();
    expect(
      provisioningSeconds({ provisioningStartedAt: now, readyAt: new Date(now.getTime() + 61_500) }),
    ).toBe(61.5);
  });
});

describe('store URLs', () => {
  it('are the slug under the base domain, with the admin path of the engine', () => {
    expect(storeUrls('acme', 'woocommerce', 'stores.example.com', 'https')).toEqual({
      storefront: 'https://acme.stores.example.com',
      admin: 'https://acme.stores.example.com/wp-admin/',
    });
  });

  it('carry the ingress port when it is not the scheme’s own (the local Traefik)', () => {
    expect(storeUrls('acme', 'medusa', 'localhost', 'http', 40965)).toEqual({
      storefront: 'http://acme.localhost:40965',
      admin: 'http://acme.localhost:40965/app/',
    });
  });
});
