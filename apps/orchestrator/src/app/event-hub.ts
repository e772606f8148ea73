// Fans out store and activity changes to live subscribers (server-sent events). Changes arrive as
// PostgreSQL notifications, so a change made by any replica reaches the clients of every replica.
import type { Logger } from 'pino';
import { type ActivityRecord, ActivityRepository } from '../db/activity-repository.ts';
import type { Database } from '../db/database.ts';
import { EVENTS_CHANNEL, StoresRepository } from '../db/stores-repository.ts';
import type { Store } from '../domain/store.ts';

/** `ownerId` is the owner of the store the event is about (null for platform activity). */
export type HubEvent =
  | { type: 'store'; store: Store; ownerId: string }
  | { type: 'activity'; entry: ActivityRecord; ownerId: string | null };
export type HubListener = (event: HubEvent) => void;

export class EventHub {
  private readonly database: Database;
  private readonly logger: Logger;
  private readonly listeners = new Set<HubListener>();
  private unlisten: (() => Promise<void>) | undefined;
  private dispatching = Promise.resolve();

  constructor(database: Database, logger: Logger) {
    this.database = database;
    this.logger = logger;
  }

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(EVENTS_CHANNEL, (payload) => {
      // One at a time, in the order of the notifications: each read then sees the row at least as
      // new as the one before, so no client gets an older state after a newer one.
      this.dispatching = this.dispatching
        .then(() => this.dispatch(payload))
        .catch((error: unknown) => this.logger.warn({ err: error, payload }, 'event dispatch failed'));
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
    await this.dispatching;
    this.listeners.clear();
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private async dispatch(payload: string): Promise<void> {
    if (this.listeners.size === 0) return;
    const separator = payload.indexOf(':');
    const kind = payload.slice(0, separator);
    const id = payload.slice(separator + 1);
    let event: HubEvent | undefined;
    if (kind === 'store') {
      const store = await new StoresRepository(this.database.db).get(id);
      if (store) event = { type: 'store', store, ownerId: store.ownerId };
    } else if (kind === 'activity') {
      const entry = await new ActivityRepository(this.database.db).get(Number(id));
      const owner = entry?.storeId
        ? await new StoresRepository(this.database.db).get(entry.storeId)
        : undefined;
      if (entry) event = { type: 'activity', entry, ownerId: owner?.ownerId ?? null };
    }
    if (!event) return;
    for (const listener of this.listeners) listener(event);
  }
}
