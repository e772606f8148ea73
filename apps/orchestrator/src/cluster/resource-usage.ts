// Store insights from Kubernetes: the kubelets' resource metrics and volume stats through the API
// server's node proxy (nodes/proxy get), once per sample for the whole fleet; each store's
// ResourceQuota and the address of its app's Service, read once and kept for a while. Simulated
// (KWOK) nodes report nothing and are not asked.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { isStatus } from './cluster-errors.ts';
import { type KubeApi, withSignal } from './kube-api.ts';
import {
  type ContainerReading,
  parsePvcUsage,
  parseQuantity,
  parseResourceMetrics,
} from './kubelet-metrics.ts';
import type { ClusterUsage, StoreQuota, UsageReading } from './port.ts';

const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** How long the list of nodes, a store's quota and its app's address are kept before being read again. */
const CACHE_MS = 5 * 60_000;

interface Cached<T> {
  value: T;
  until: number;
}

export class KubernetesUsage implements ClusterUsage {
  private readonly kube: KubeApi;
  private readonly now: () => number;
  private nodes: Cached<string[]> | undefined;
  private readonly quotas = new Map<string, Cached<StoreQuota>>();
  private readonly addresses = new Map<string, Cached<string | null>>();

  constructor(kube: KubeApi, now: () => number = Date.now) {
    this.kube = kube;
    this.now = now;
  }

  async readUsage(signal: AbortSignal): Promise<UsageReading> {
    const nodes = await this.reportingNodes(signal);
    const containers: ContainerReading[] = [];
    const disk = new Map<string, number>();
    let answered = 0;
    for (const node of nodes) {
      const base = `/api/v1/nodes/${encodeURIComponent(node)}/proxy`;
      try {
        containers.push(...parseResourceMetrics(await this.get(`${base}/metrics/resource`, signal)));
        answered++;
      } catch (error) {
        if (signal.aborted) throw error;
        continue;
      }
      try {
        for (const [namespace, bytes] of parsePvcUsage(await this.get(`${base}/stats/summary`, signal))) {
          disk.set(namespace, (disk.get(namespace) ?? 0) + bytes);
        }
      } catch (error) {
        if (signal.aborted) throw error;
      }
    }
    return { nodes: answered, containers, disk };
  }

  async quota(namespace: string, signal: AbortSignal): Promise<StoreQuota> {
    return this.cached(this.quotas, namespace, async () => {
      try {
        const list = await this.kube.core.listNamespacedResourceQuota({ namespace }, withSignal(signal));
        let cpu: number | null = null;
        let memory: number | null = null;
        for (const quota of list.items) {
          const hard = quota.spec?.hard ?? {};
          const cpuLimit = parseQuantity(hard['limits.cpu'] ?? hard.cpu);
          const memoryLimit = parseQuantity(hard['limits.memory'] ?? hard.memory);
          if (cpuLimit !== undefined) cpu = Math.min(cpu ?? Number.POSITIVE_INFINITY, cpuLimit * 1000);
          if (memoryLimit !== undefined) memory = Math.min(memory ?? Number.POSITIVE_INFINITY, memoryLimit);
        }
        return { cpuMillicores: cpu, memoryBytes: memory };
      } catch (error) {
        if (isStatus(error, 404)) return { cpuMillicores: null, memoryBytes: null };
        throw this.kube.failure(error, `list the ResourceQuotas of ${namespace}`, signal);
      }
    });
  }

  async appAddress(namespace: string, component: string, signal: AbortSignal): Promise<string | null> {
    return this.cached(this.addresses, `${namespace}/${component}`, async () => {
      try {
        const services = await this.kube.core.listNamespacedService(
          { namespace, labelSelector: `app.kubernetes.io/component=${component}` },
          withSignal(signal),
        );
        const service = services.items.find((s) => s.spec?.clusterIP && s.spec.clusterIP !== 'None');
        const port = service?.spec?.ports?.find((p) => p.name === 'http') ?? service?.spec?.ports?.[0];
        if (!service?.spec?.clusterIP || !port) return null;
        const host = service.spec.clusterIP.includes(':')
          ? `[${service.spec.clusterIP}]`
          : service.spec.clusterIP;
        return `http://${host}:${port.port}`;
      } catch (error) {
        if (isStatus(error, 404)) return null;
        throw this.kube.failure(error, `list the Services of ${namespace}`, signal);
      }
    });
  }

  /** Real nodes: every node but KWOK's simulated ones (listed again every few minutes). */
  private async reportingNodes(signal: AbortSignal): Promise<string[]> {
    if (this.nodes && this.nodes.until > this.now()) return this.nodes.value;
    try {
      const list = await this.kube.core.listNode({}, withSignal(signal));
      const names = list.items
        .filter((node) => !node.metadata?.annotations?.[KWOK_NODE_ANNOTATION])
        .flatMap((node) => (node.metadata?.name ? [node.metadata.name] : []));
      this.nodes = { value: names, until: this.now() + CACHE_MS };
      return names;
    } catch (error) {
      throw this.kube.failure(error, 'list the nodes', signal);
    }
  }

  private async cached<T>(cache: Map<string, Cached<T>>, key: string, read: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const value = await read();
    cache.set(key, { value, until: this.now() + CACHE_MS });
    return value;
  }

  /** A GET on the API server that answers text (the node proxy passes the kubelet's answer through). */
  private async get(path: string, signal: AbortSignal): Promise<string> {
    const server = new URL(this.kube.server);
    const options: RequestOptions = {
      method: 'GET',
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: server.port || (server.protocol === 'https:' ? 443 : 80),
      path,
      headers: { accept: 'text/plain, application/json' },
      signal,
    };
    await this.kube.kubeConfig.applyToHTTPSOptions(options);
    const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) {
            reject(new Error(`GET ${path} answered ${res.statusCode}: ${body.slice(0, 200)}`));
          } else resolve(body);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }
}
