// Upgrades many stores to the store chart shipped with this orchestrator, a few at a time, and stops
// at the first store that does not come back Ready. Each store's upgrade is an ordinary queued
// upgrade (so it is leased, retried and rolled back like any other); this module only paces them.
// The pacing itself is durable: one replica paces a run under a lease it renews, progress is saved
// after every batch, and a run whose pacer died (or shut down) is taken over by the next replica
// that looks, which carries on from the last saved batch.
import { randomUUID } from 'node:crypto';
import type { FleetUpgrade } from '@storefleet/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { FleetUpgradesTable, Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import type { StoreService } from './store-service.ts';

export interface FleetUpgradeOptions {
  db: Kysely<Schema>;
  stores: StoreService;
  logger: Logger;
  /** Who paces runs here; unique per process. */
  ownerId: string;
  /** How long a pacer's claim on a run lasts without renewal (renewed every third of it). */
  leaseMs: number;
  pollIntervalMs?: number;
}

/** How one store's upgrade ended: `Lost` when this replica stopped pacing before it was over. */
type Outcome = { kind: 'Ready' } | { kind: 'Failed'; name: string; reason: string } | { kind: 'Lost' };

export class FleetUpgrader {
  private readonly options: FleetUpgradeOptions;
  private readonly db: Kysely<Schema>;
  private readonly running = new Map<string, Promise<void>>();
  private adoptTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: FleetUpgradeOptions) {
    this.options = options;
    this.db = options.db;
  }

  /** Takes over runs left without a pacer now, and keeps looking every lease period. */
  startAdopting(): void {
    const adopt = () =>
      this.adoptOrphans().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'looking for fleet upgrades to resume failed'),
      );
    void adopt();
    this.adoptTimer = setInterval(adopt, this.options.leaseMs);
    this.adoptTimer.unref();
  }

  async start(
    actor: Actor,
    request: { storeIds?: string[] | undefined; concurrency: number },
  ): Promise<FleetUpgrade> {
    if (actor.role !== 'admin')
      throw new AppError('FORBIDDEN', 'Only platform admins can upgrade the fleet.', 'forbidden');
    const storeIds = request.storeIds ?? (await this.readyStoreIds());
    if (storeIds.length === 0) throw conflict('NO_READY_STORES', 'There is no Ready store to upgrade.');
    const stores = new StoresRepository(this.db);
    for (const id of storeIds) {
      const store = await stores.get(id);
      if (!store) throw notFound(`Store ${id}`);
      if (store.state !== 'Ready')
        throw conflict(
          'STORE_NOT_READY',
          `Store ${store.name} is ${store.state}; only Ready stores can be upgraded.`,
          { storeId: store.id, state: store.state },
        );
    }
    const now = new Date();
    const run = {
      id: randomUUID(),
      state: 'running',
      store_ids: JSON.stringify(storeIds),
      upgraded_ids: '[]',
      concurrency: request.concurrency,
      message: `Upgrading ${storeIds.length} stores, ${request.concurrency} at a time.`,
      created_by: actor.email,
      created_at: now,
      lease_owner: this.options.ownerId,
      lease_expires_at: new Date(now.getTime() + this.options.leaseMs),
    };
    await this.db.insertInto('fleet_upgrades').values(run).execute();
    await this.note(`Fleet upgrade ${run.id} started by ${actor.email}: ${run.message}`, run.id);
    this.pace(run.id);
    return this.get(run.id);
  }

  async get(id: string): Promise<FleetUpgrade> {
    const row = await this.db
      .selectFrom('fleet_upgrades')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Fleet upgrade');
    return present(row);
  }

  async list(): Promise<FleetUpgrade[]> {
    const rows = await this.db
      .selectFrom('fleet_upgrades')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
    return rows.map(present);
  }

  /**
   * Stops pacing (on shutdown) and hands the runs back at once, so that another replica, or this
   * one started again, resumes them; store upgrades already queued finish on their own.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.adoptTimer);
    await Promise.allSettled([...this.running.values()]);
    await this.db
      .updateTable('fleet_upgrades')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('lease_owner', '=', this.options.ownerId)
      .where('state', '=', 'running')
      .execute();
  }

  /** Claims every running run whose pacer's lease ran out, and paces it from its last saved batch. */
  async adoptOrphans(): Promise<string[]> {
    if (this.stopped) return [];
    const now = new Date();
    const claimed = await this.db
      .updateTable('fleet_upgrades')
      .set({
        lease_owner: this.options.ownerId,
        lease_expires_at: new Date(now.getTime() + this.options.leaseMs),
      })
      .where('state', '=', 'running')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
      .returning('id')
      .execute();
    for (const { id } of claimed) {
      this.options.logger.info({ fleetUpgrade: id }, 'resuming a fleet upgrade left without a pacer');
      await this.note(`Fleet upgrade ${id} resumed by another orchestrator after its pacer stopped.`, id);
      this.pace(id);
    }
    return claimed.map(({ id }) => id);
  }

  private pace(id: string): void {
    if (this.running.has(id)) return;
    const work = this.drive(id)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, fleetUpgrade: id }, 'fleet upgrade driver failed'),
      )
      .finally(() => this.running.delete(id));
    this.running.set(id, work);
  }

  /** Renews this replica's lease on a run; false once another replica holds it. */
  private async renew(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('fleet_upgrades')
      .set({ lease_expires_at: new Date(Date.now() + this.options.leaseMs) })
      .where('id', '=', id)
      .where('lease_owner', '=', this.options.ownerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  private async drive(id: string): Promise<void> {
    const row = await this.db
      .selectFrom('fleet_upgrades')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.state !== 'running') return;
    const storeIds = row.store_ids;
    const upgraded = [...row.upgraded_ids];
    const remaining = storeIds.filter((storeId) => !upgraded.includes(storeId));
    const lease = { held: true };
    const heartbeat = setInterval(
      () => {
        this.renew(id).then(
          (held) => {
            lease.held &&= held;
          },
          (error: unknown) =>
            this.options.logger.warn({ err: error, fleetUpgrade: id }, 'renewing a fleet lease failed'),
        );
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      for (let start = 0; start < remaining.length; start += row.concurrency) {
        const batch = remaining.slice(start, start + row.concurrency);
        const outcomes = await Promise.all(batch.map((storeId) => this.upgradeOne(storeId, lease)));
        if (outcomes.some((outcome) => outcome.kind === 'Lost') || this.stopped) return;
        upgraded.push(...batch.filter((_, index) => outcomes[index]?.kind === 'Ready'));
        const failedAt = outcomes.findIndex((outcome) => outcome.kind === 'Failed');
        const failure = outcomes[failedAt];
        if (failure?.kind === 'Failed') {
          const message = `Halted: ${failure.name} did not upgrade (${failure.reason}); ${upgraded.length} of ${storeIds.length} upgraded, the rest left as they were.`;
          await this.finish(id, 'halted', upgraded, message, batch[failedAt] ?? null);
          return;
        }
        const saved = await this.db
          .updateTable('fleet_upgrades')
          .set({
            upgraded_ids: JSON.stringify(upgraded),
            message: `${upgraded.length} of ${storeIds.length} upgraded.`,
          })
          .where('id', '=', id)
          .where('lease_owner', '=', this.options.ownerId)
          .executeTakeFirst();
        if (saved.numUpdatedRows === 0n) return;
        await this.note(`Fleet upgrade ${id}: ${upgraded.length} of ${storeIds.length} stores upgraded.`, id);
      }
      this.options.logger.info({ fleetUpgrade: id, by: row.created_by }, 'fleet upgrade finished');
      await this.finish(id, 'succeeded', upgraded, `All ${storeIds.length} stores upgraded.`, null);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Upgrades one store and waits until the upgrade is over. A store already Upgrading was queued by
   * the pacer this run had before (it died mid-batch): it is waited for, not upgraded twice.
   */
  private async upgradeOne(storeId: string, lease: { held: boolean }): Promise<Outcome> {
    const stores = new StoresRepository(this.db);
    const before = await stores.get(storeId);
    if (!before) return { kind: 'Failed', name: storeId, reason: 'it no longer exists' };
    if (before.state === 'Ready') {
      try {
        await this.options.stores.upgrade(storeId, {});
      } catch (error) {
        return {
          kind: 'Failed',
          name: before.name,
          reason: error instanceof Error ? error.message : String(error),
        };
      }
    } else if (before.state !== 'Upgrading') {
      return { kind: 'Failed', name: before.name, reason: `it is ${before.state}` };
    }
    for (;;) {
      const store = await stores.get(storeId);
      if (store?.state === 'Ready') return { kind: 'Ready' };
      if (store?.state !== 'Upgrading') {
        return {
          kind: 'Failed',
          name: before.name,
          reason: store?.failure?.message ?? `it is ${store?.state ?? 'gone'}`,
        };
      }
      if (this.stopped || !lease.held) return { kind: 'Lost' };
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 500));
    }
  }

  private async finish(
    id: string,
    state: 'succeeded' | 'halted',
    upgraded: string[],
    message: string,
    failedId: string | null,
  ) {
    const finished = await this.db
      .updateTable('fleet_upgrades')
      .set({
        state,
        upgraded_ids: JSON.stringify(upgraded),
        message,
        failed_store_id: failedId,
        finished_at: new Date(),
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', this.options.ownerId)
      .executeTakeFirst();
    if (finished.numUpdatedRows > 0n) await this.note(`Fleet upgrade ${id} ${state}: ${message}`, id);
  }

  private async note(message: string, id: string): Promise<void> {
    await new ActivityRepository(this.db).append({
      storeId: null,
      type: 'fleet.upgrade',
      message,
      details: { fleetUpgrade: id },
    });
  }

  private async readyStoreIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('stores')
      .select('id')
      .where('state', '=', 'Ready')
      .orderBy('created_at')
      .execute();
    return rows.map((row) => row.id);
  }
}

function present(row: Selectable<FleetUpgradesTable>): FleetUpgrade {
  return {
    id: row.id,
    state: row.state as FleetUpgrade['state'],
    storeIds: row.store_ids,
    upgradedIds: row.upgraded_ids,
    concurrency: row.concurrency,
    failedStoreId: row.failed_store_id,
    message: row.message,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
