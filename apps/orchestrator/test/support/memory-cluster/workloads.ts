// Workloads kept in memory: what each namespace's workloads report (everything ready unless a test
// says otherwise), and the watches on them.
import type {
  ClusterWorkloads,
  StoreTarget,
  WorkloadProgress,
  WorkloadWatch,
} from '../../../src/cluster/port.ts';
import type { ScriptedCalls } from './scripted-calls.ts';

type Listener = (progress: WorkloadProgress[]) => Promise<void>;

const READY_CONDITIONS = ['DatabaseReady', 'AppReady', 'StoreConfigured'] as const;

export class MemoryWorkloads implements ClusterWorkloads {
  /** What observeWorkloads reports for each namespace; by default everything is ready. Change it with `observe`. */
  readonly observations = new Map<string, WorkloadProgress[]>();
  /** Live watches by namespace (watchWorkloads). */
  readonly watches = new Map<string, Set<Listener>>();
  private readonly calls: ScriptedCalls;

  constructor(calls: ScriptedCalls) {
    this.calls = calls;
  }

  /** Sets (or with undefined, resets) what a namespace's workloads look like, telling its watchers. */
  async observe(namespace: string, progress: WorkloadProgress[] | undefined): Promise<void> {
    if (progress) this.observations.set(namespace, progress);
    else this.observations.delete(namespace);
    const current = this.currentObservation(namespace);
    for (const onChange of this.watches.get(namespace) ?? []) await onChange(current);
  }

  watchWorkloads(target: StoreTarget, onChange: Listener): WorkloadWatch {
    const listeners = this.watches.get(target.namespace) ?? new Set();
    this.watches.set(target.namespace, listeners);
    listeners.add(onChange);
    // Like informers, the first observation arrives after the watch is returned.
    setImmediate(() => void onChange(this.currentObservation(target.namespace)));
    return {
      stop: async () => {
        listeners.delete(onChange);
        if (listeners.size === 0) this.watches.delete(target.namespace);
      },
    };
  }

  async observeWorkloads(target: StoreTarget): Promise<WorkloadProgress[]> {
    return this.currentObservation(target.namespace);
  }

  private currentObservation(namespace: string): WorkloadProgress[] {
    return (
      this.observations.get(namespace) ??
      READY_CONDITIONS.map((type) => ({
        type,
        status: 'True' as const,
        reason: 'Observed',
        message: `${type} observed in memory`,
      }))
    );
  }

  async waitUntilReady(
    target: StoreTarget,
    signal: AbortSignal,
    onProgress: (progress: WorkloadProgress) => Promise<void>,
  ): Promise<void> {
    await this.calls.run('waitUntilReady', target, signal, () => undefined);
    for (const type of READY_CONDITIONS) {
      await onProgress({ type, status: 'True', reason: 'Observed', message: `${type} observed in memory` });
    }
  }
}
