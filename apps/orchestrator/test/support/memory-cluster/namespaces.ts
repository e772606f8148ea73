// A store's namespace and what lives in it besides its release, kept in memory: the store Secret, what
// people inspect, the certificates of its custom domains; and the platform's fallback route.
import type { StoreResources } from '@storefleet/contracts';
import {
  type AdminCredentials,
  type ClusterCertificates,
  ClusterError,
  type ClusterFallback,
  type ClusterInspection,
  type ClusterNamespaces,
  type ClusterSecrets,
  type StoreTarget,
} from '../../../src/cluster/port.ts';
import type { ScriptedCalls } from './scripted-calls.ts';

export class MemorySecrets implements ClusterSecrets {
  /** The namespaces that hold a store Secret. */
  readonly existing = new Set<string>();
  private readonly calls: ScriptedCalls;
  private readonly namespaces: ReadonlySet<string>;

  constructor(calls: ScriptedCalls, namespaces: ReadonlySet<string>) {
    this.calls = calls;
    this.namespaces = namespaces;
  }

  ensureSecrets(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.calls.run('ensureSecrets', target, signal, () => {
      if (!this.namespaces.has(target.namespace)) {
        throw new ClusterError('KubernetesApiError', `namespace ${target.namespace} does not exist`, {
          retryable: true,
        });
      }
      this.existing.add(target.namespace);
    });
  }
}

export class MemoryNamespaces implements ClusterNamespaces {
  readonly existing = new Set<string>();
  /** The store Secrets, which go with their namespace. */
  readonly secrets: MemorySecrets;
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
    this.secrets = new MemorySecrets(calls, this.existing);
  }

  ensureNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.calls.run('ensureNamespace', target, signal, () => {
      this.existing.add(target.namespace);
    });
  }

  deleteNamespace(target: StoreTarget, signal: AbortSignal): Promise<void> {
    return this.calls.run('deleteNamespace', target, signal, () => {
      this.existing.delete(target.namespace);
      this.secrets.existing.delete(target.namespace);
    });
  }
}

export class MemoryInspection implements ClusterInspection {
  private readonly namespaces: MemoryNamespaces;

  constructor(namespaces: MemoryNamespaces) {
    this.namespaces = namespaces;
  }

  async adminCredentials(target: StoreTarget): Promise<AdminCredentials> {
    if (!this.namespaces.secrets.existing.has(target.namespace)) {
      throw new ClusterError('CredentialsMissing', 'The store Secret store-credentials does not exist.', {
        retryable: false,
      });
    }
    return {
      username: 'storeadmin',
      password: `pw-${target.slug}-memory`,
      email: `admin@${target.slug}.store.invalid`,
    };
  }

  async resources(target: StoreTarget): Promise<StoreResources> {
    const exists = this.namespaces.existing.has(target.namespace);
    return {
      namespace: target.namespace,
      items: exists
        ? [{ kind: 'Pod', name: `${target.release}-app`, status: 'Running', details: {}, createdAt: null }]
        : [],
      events: [],
    };
  }
}

export class MemoryCertificates implements ClusterCertificates {
  /** Hosts whose certificate Secret was deleted, as `<namespace>/<host>`. */
  readonly deleted: string[] = [];

  async deleteHostCertificate(target: StoreTarget, host: string): Promise<void> {
    this.deleted.push(`${target.namespace}/${host}`);
  }
}

export class MemoryFallback implements ClusterFallback {
  upstream: { host: string; port: number } | undefined;

  async publishFallbackRoute(upstream: { host: string; port: number }): Promise<void> {
    this.upstream = upstream;
  }
}
