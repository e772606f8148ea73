// What people can read of stores: pages, one store, its release history, its cluster objects and its
// admin login. Reads from the cluster are bounded in time and fail as API errors.
import type { ReleaseRevision, StoreResources, StoreState } from '@storefleet/contracts';
import type { Kysely } from 'kysely';
import { type AdminCredentials, type Cluster, ClusterError, storeTarget } from '../cluster/port.ts';
import type { Schema } from '../db/schema.ts';
import { InvalidCursorError, type StorePage, StoresRepository } from '../db/stores-repository.ts';
import { type Actor, canAccessStore } from '../domain/actor.ts';
import { assertMayRequest, LIVE_STATES } from '../domain/lifecycle.ts';
import type { Store } from '../domain/store.ts';
import { AppError, invalidInput, notFound } from '../errors.ts';

export class StoreQueries {
  private readonly stores: StoresRepository;
  private readonly cluster: Pick<Cluster, 'releases' | 'inspection'>;

  constructor(options: { db: Kysely<Schema>; cluster: Pick<Cluster, 'releases' | 'inspection'> }) {
    this.stores = new StoresRepository(options.db);
    this.cluster = options.cluster;
  }

  async list(query: {
    state?: StoreState;
    limit: number;
    cursor?: string;
    ownerId?: string;
  }): Promise<StorePage> {
    try {
      return await this.stores.list(query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalidInput(error.message);
      throw error;
    }
  }

  async get(id: string): Promise<Store> {
    const store = await this.stores.get(id);
    if (!store) throw notFound('Store');
    return store;
  }

  /** The store at this address, for the pages its URL shows while no workload answers. */
  findLiveBySlug(slug: string): Promise<Store | undefined> {
    return this.stores.findLiveBySlug(slug);
  }

  /** The store if this actor may see it; another merchant's store is "not found", so ids cannot be probed. */
  async getFor(id: string, actor: Actor): Promise<Store> {
    const store = await this.stores.get(id);
    if (!store || !canAccessStore(actor, store)) throw notFound('Store');
    return store;
  }

  async liveStoreCount(actor: Actor): Promise<number> {
    return this.stores.countInStates(LIVE_STATES, actor.userId);
  }

  async history(id: string): Promise<ReleaseRevision[]> {
    const store = await this.get(id);
    if (store.state === 'Deleted' || store.revision === null) return [];
    return this.askCluster((signal) => this.cluster.releases.releaseHistory(storeTarget(store), signal));
  }

  async resources(id: string): Promise<StoreResources> {
    const store = await this.get(id);
    if (store.state === 'Deleted') return { namespace: store.namespace, items: [], events: [] };
    return this.askCluster((signal) => this.cluster.inspection.resources(storeTarget(store), signal));
  }

  /** The store admin's login. Callers audit every reveal; the values are never logged or stored. */
  async credentials(id: string): Promise<{ store: Store; credentials: AdminCredentials }> {
    const store = await this.get(id);
    assertMayRequest(store, 'credentials');
    const credentials = await this.askCluster((signal) =>
      this.cluster.inspection.adminCredentials(storeTarget(store), signal),
    );
    return { store, credentials };
  }

  /** A read from the cluster on behalf of a request: bounded in time, failures as API errors. */
  async askCluster<T>(read: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await read(AbortSignal.timeout(30_000));
    } catch (error) {
      if (error instanceof ClusterError) throw clusterFailure(error);
      throw error;
    }
  }
}

/**
 * A cluster failure as an API error. No cluster (not configured, or not answering) is "unavailable"
 * (503 CLUSTER_UNAVAILABLE) with what to set or check; anything the cluster itself refused is an
 * upstream failure (502 CLUSTER_REQUEST_FAILED) with the cluster's reason in the details, never as the code.
 */
export function clusterFailure(error: ClusterError): AppError {
  if (error.code === 'ClusterNotConfigured') {
    return new AppError('CLUSTER_UNAVAILABLE', error.message, 'unavailable', { reason: error.code });
  }
  if (error.code === 'ClusterUnreachable') {
    return new AppError(
      'CLUSTER_UNAVAILABLE',
      `The Kubernetes cluster does not answer; check that it is running and that KUBECONFIG points at it. ${error.message}`,
      'unavailable',
      { reason: error.code },
    );
  }
  return new AppError('CLUSTER_REQUEST_FAILED', error.message, 'upstream', { reason: error.code });
}
