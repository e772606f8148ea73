// Upgrades many stores to the store chart shipped with this orchestrator, a few at a time, and stops
// at the first store that does not come back Ready. Each store's upgrade is an ordinary queued
// upgrade (so it is leased, retried and rolled back like any other); this module only paces them.
import { randomUUID } from 'node:crypto';
import type { FleetUpgrade } from '@storefleet/contracts';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { FleetUpgradesTable, Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError, invalidInput, notFound } from '../errors.ts';
import type { StoreService } from './store-service.ts';

export interface FleetUpgradeOptions {
  db: Kysely<Schema>;
  stores: StoreService;
  logger: Logger;
  pollIntervalMs?: number;
}

export class FleetUpgrader {
  private readonly options: FleetUpgradeOptions;
  private readonly db: Kysely<Schema>;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(options: FleetUpgradeOptions) {
    this.options = options;
    this.db = options.db;
  }

  async start(
    actor: Actor,
    request: { storeIds?: string[] | undefined; concurrency: number },
  ): Promise<FleetUpgrade> {
    if (actor.role !== 'admin')
      throw new AppError('FORBIDDEN', 'Only platform admins can upgrade the fleet.', 403);
    const storeIds = request.storeIds ?? (await this.readyStoreIds());
    if (storeIds.length === 0) throw invalidInput('There is no Ready store to upgrade.');
    const stores = new StoresRepository(this.db);
    for (const id of storeIds) {
      const store = await stores.get(id);
      if (!store) throw invalidInput(`Store ${id} does not exist.`);
      if (store.state !== 'Ready')
        throw invalidInput(`Store ${store.name} is ${store.state}; only Ready stores can be upgraded.`);
    }
    const run = {
      id: randomUUID(),
      state: 'running',
      store_ids: JSON.stringify(storeIds),
      upgraded_ids: '[]',
      concurrency: request.concurrency,
      message: `Upgrading ${storeIds.length} stores, ${request.concurrency} at a time.`,
      created_by: actor.email,
      created_at: new Date(),
    };
    await this.db.insertInto('fleet_upgrades').values(run).execute();
    await this.note(`Fleet upgrade ${run.id} started: ${run.message}`, run.id);
    const work = this.drive(run.id, storeIds, request.concurrency, actor).catch((error: unknown) =>
      this.options.logger.error({ err: error, fleetUpgrade: run.id }, 'fleet upgrade driver failed'),
    );
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
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

  /** Stops pacing (on shutdown); store upgrades already queued finish on their own. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  private async drive(id: string, storeIds: string[], concurrency: number, actor: Actor): Promise<void> {
    const upgraded: string[] = [];
    for (let start = 0; start < storeIds.length; start += concurrency) {
      const batch = storeIds.slice(start, start + concurrency);
      for (const storeId of batch) await this.options.stores.upgrade(storeId, {});
      const outcomes = await Promise.all(batch.map((storeId) => this.settled(storeId)));
      const failedAt = outcomes.findIndex((outcome) => outcome !== 'Ready' && outcome !== 'Interrupted');
      upgraded.push(...batch.filter((_, index) => outcomes[index] === 'Ready'));
      if (failedAt >= 0 || this.stopped) {
        const failedId = failedAt >= 0 ? (batch[failedAt] ?? null) : null;
        const failed = failedId ? await this.options.stores.get(failedId) : undefined;
        const message = failed
          ? `Halted: ${failed.name} did not upgrade (${failed.failure?.message ?? failed.state}); ${upgraded.length} of ${storeIds.length} upgraded, the rest left as they were.`
          : `Halted by shutdown after ${upgraded.length} of ${storeIds.length} stores.`;
        await this.finish(id, 'halted', upgraded, message, failedId);
        return;
      }
      await this.db
        .updateTable('fleet_upgrades')
        .set({
          upgraded_ids: JSON.stringify(upgraded),
          message: `${upgraded.length} of ${storeIds.length} upgraded.`,
        })
        .where('id', '=', id)
        .execute();
      await this.note(`Fleet upgrade ${id}: ${upgraded.length} of ${storeIds.length} stores upgraded.`, id);
    }
    this.options.logger.info({ fleetUpgrade: id, by: actor.email }, 'fleet upgrade finished');
    await this.finish(id, 'succeeded', upgraded, `All ${storeIds.length} stores upgraded.`, null);
  }

  /** Waits until a store's upgrade is over: Ready, or anything else (a failure). */
  private async settled(storeId: string): Promise<string> {
    const stores = new StoresRepository(this.db);
    for (;;) {
      const store = await stores.get(storeId);
      if (!store) return 'Deleted';
      if (store.state !== 'Upgrading') return store.state;
      if (this.stopped) return 'Interrupted';
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
    await this.db
      .updateTable('fleet_upgrades')
      .set({
        state,
        upgraded_ids: JSON.stringify(upgraded),
        message,
        failed_store_id: failedId,
        finished_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await this.note(`Fleet upgrade ${id} ${state}: ${message}`, id);
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
