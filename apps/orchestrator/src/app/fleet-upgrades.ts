// Upgrades many stores to the store chart shipped with this orchestrator, a few at a time, and stops
// at the first store that does not come back Ready. Each store's upgrade is an ordinary queued
// upgrade (so it is leased, retried and rolled back like any other); this module only paces them.
// The pacing is itself a job in the durable work queue, one per run: each claim of it does one step
// (start the next batch, or look at the batch in flight) and asks to be called again a little later.
// It runs under the queue's lease like any job, so a run whose worker died is taken over by another
// worker once the lease runs out. Progress and the batch in flight are saved after every step, in
// writes fenced by that lease, and each store's generation before the run asked for its upgrade is
// kept with the batch: whoever carries on knows which upgrades were asked for and asks for none twice.
import { randomUUID } from 'node:crypto';
import { type FleetUpgrade, refusal } from '@storefleet/contracts';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Logger } from 'pino';
import { ActivityRepository } from '../db/activity-repository.ts';
import type { FleetBatchEntry, FleetUpgradesTable, Schema } from '../db/schema.ts';
import { StoresRepository } from '../db/stores-repository.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { enqueueFleetJob, type FleetJob, holdsLease } from '../queue/work-queue.ts';
import type { JobResult } from '../queue/worker.ts';
import type { StoreCommands } from './store-commands.ts';

export interface FleetUpgradeOptions {
  db: Kysely<Schema>;
  commands: Pick<StoreCommands, 'upgrade'>;
  logger: Logger;
  /** How long the pacer waits before it looks at the batch in flight again. */
  pollIntervalMs?: number;
}

/** Where one store of the batch in flight stands. */
type Outcome = { kind: 'Ready' } | { kind: 'Pending' } | { kind: 'Failed'; name: string; reason: string };

/** The step could not save what it did: the job's lease is no longer this worker's. */
const LEASE_LOST: JobResult = { outcome: 'retry', delayMs: 0, error: null };

export class FleetUpgrader {
  private readonly options: FleetUpgradeOptions;
  private readonly db: Kysely<Schema>;

  constructor(options: FleetUpgradeOptions) {
    this.options = options;
    this.db = options.db;
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
      // The table's refusal first; then the fleet's own rule: it upgrades healthy (Ready) stores only.
      const refused = refusal(store, 'upgrade');
      if (refused)
        throw conflict(refused.code, `Store ${store.name}: ${refused.message}`, { storeId: store.id });
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
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('fleet_upgrades').values(run).execute();
      await this.note(`Fleet upgrade ${run.id} started by ${actor.email}: ${run.message}`, run.id, trx);
      await enqueueFleetJob(trx, run.id, { now });
    });
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
   * The queue's handler for fleet jobs: one step of pacing a run. It asks for the upgrades of the next
   * batch, or looks at the batch in flight; when a batch is over it saves the progress and starts the
   * next one at once. It finishes the run when every store is upgraded, and halts it at the first
   * store that did not come back Ready (after the rest of its batch is over).
   */
  readonly handle = async (job: FleetJob, signal: AbortSignal): Promise<JobResult> => {
    const id = job.fleetUpgradeId;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const row = await this.db
        .selectFrom('fleet_upgrades')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (row?.state !== 'running') return { outcome: 'done' };
      const storeIds = row.store_ids;
      const upgraded = [...row.upgraded_ids];
      let batch = row.batch ?? [];
      if (batch.length === 0) {
        const next = storeIds.filter((storeId) => !upgraded.includes(storeId)).slice(0, row.concurrency);
        if (next.length === 0) {
          this.options.logger.info({ fleetUpgrade: id, by: row.created_by }, 'fleet upgrade finished');
          const message = `All ${storeIds.length} stores upgraded.`;
          return (await this.finish(job, 'succeeded', upgraded, message, null))
            ? { outcome: 'done' }
            : LEASE_LOST;
        }
        const stores = new StoresRepository(this.db);
        batch = await Promise.all(
          next.map(async (storeId) => ({
            storeId,
            generation: (await stores.get(storeId))?.generation ?? 0,
          })),
        );
        // Saved before any upgrade is asked for: whoever carries on knows which ones may have been.
        if (!(await this.save(job, { batch: JSON.stringify(batch) }))) return LEASE_LOST;
      }
      const outcomes: Outcome[] = [];
      const seen = batch.map((entry) => ({ ...entry }));
      for (const entry of seen) outcomes.push(await this.advance(entry));
      if (outcomes.some((outcome) => outcome.kind === 'Pending')) {
        const changed = JSON.stringify(seen) !== JSON.stringify(batch);
        if (changed && !(await this.save(job, { batch: JSON.stringify(seen) }))) return LEASE_LOST;
        return { outcome: 'retry', delayMs: this.options.pollIntervalMs ?? 500, error: null };
      }
      upgraded.push(...seen.filter((_, index) => outcomes[index]?.kind === 'Ready').map((e) => e.storeId));
      const failedAt = outcomes.findIndex((outcome) => outcome.kind === 'Failed');
      const failure = outcomes[failedAt];
      if (failure?.kind === 'Failed') {
        const message = `Halted: ${failure.name} did not upgrade (${failure.reason}); ${upgraded.length} of ${storeIds.length} upgraded, the rest left as they were.`;
        const halted = await this.finish(job, 'halted', upgraded, message, seen[failedAt]?.storeId ?? null);
        return halted ? { outcome: 'done' } : LEASE_LOST;
      }
      const progress = {
        upgraded_ids: JSON.stringify(upgraded),
        message: `${upgraded.length} of ${storeIds.length} upgraded.`,
        batch: null,
      };
      const note = `Fleet upgrade ${id}: ${upgraded.length} of ${storeIds.length} stores upgraded.`;
      if (!(await this.save(job, progress, note))) return LEASE_LOST;
    }
  };

  /**
   * Moves one store of the batch in flight on: asks for its upgrade unless that was asked already
   * (its generation moved on since the batch was saved), then tells where it stands. A store found
   * Upgrading that the run has not asked for (a run paced before these generations were kept, or an
   * upgrade someone asked for meanwhile) is adopted: waited for, not upgraded a second time. A store
   * whose upgrade could not be asked for keeps that failure in the batch, and is not asked again.
   */
  private async advance(entry: FleetBatchEntry): Promise<Outcome> {
    if (entry.failed) return { kind: 'Failed', ...entry.failed };
    const stores = new StoresRepository(this.db);
    const store = await stores.get(entry.storeId);
    if (!store) return { kind: 'Failed', name: entry.storeId, reason: 'it no longer exists' };
    if (store.generation <= entry.generation) {
      if (store.state === 'Upgrading') {
        entry.generation = store.generation - 1;
        return { kind: 'Pending' };
      }
      let reason = `it is ${store.state}`;
      if (store.state === 'Ready') {
        try {
          await this.options.commands.upgrade(entry.storeId, {});
          return { kind: 'Pending' };
        } catch (error) {
          reason = error instanceof Error ? error.message : String(error);
        }
      }
      entry.failed = { name: store.name, reason };
      return { kind: 'Failed', ...entry.failed };
    }
    if (store.state === 'Ready') return { kind: 'Ready' };
    if (store.state === 'Upgrading') return { kind: 'Pending' };
    return { kind: 'Failed', name: store.name, reason: store.failure?.message ?? `it is ${store.state}` };
  }

  /**
   * Saves a running run's progress (and its activity entry, if any) if this worker still holds the
   * run's job; false when it does not, and then nothing is written.
   */
  private async save(
    job: FleetJob,
    values: Updateable<FleetUpgradesTable>,
    activity?: string,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await holdsLease(trx, job))) return false;
      await trx
        .updateTable('fleet_upgrades')
        .set(values)
        .where('id', '=', job.fleetUpgradeId)
        .where('state', '=', 'running')
        .execute();
      if (activity) await this.note(activity, job.fleetUpgradeId, trx);
      return true;
    });
  }

  /** Ends the run; false when this worker no longer holds its job (and so may not end it). */
  private async finish(
    job: FleetJob,
    state: 'succeeded' | 'halted',
    upgraded: string[],
    message: string,
    failedId: string | null,
  ): Promise<boolean> {
    const finished = {
      state,
      upgraded_ids: JSON.stringify(upgraded),
      message,
      failed_store_id: failedId,
      finished_at: new Date(),
      batch: null,
    };
    return this.save(job, finished, `Fleet upgrade ${job.fleetUpgradeId} ${state}: ${message}`);
  }

  private async note(message: string, id: string, executor: Kysely<Schema> = this.db): Promise<void> {
    await new ActivityRepository(executor).append({
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
