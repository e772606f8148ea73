// The calls an in-memory cluster takes, one per operation: each is recorded, can be told to fail, hang
// or block, and calls for one store that overlap are counted, which must never happen.
import type { ClusterError, StoreTarget } from '../../../src/cluster/port.ts';

export type ClusterOperation =
  | 'ensureNamespace'
  | 'ensureSecrets'
  | 'installRelease'
  | 'waitUntilReady'
  | 'rollbackRelease'
  | 'uninstallRelease'
  | 'deleteNamespace'
  | 'dumpData'
  | 'restoreData'
  | 'scaleDown'
  | 'scaleUp'
  | 'applyBackupSchedule'
  | 'rerunSetup';

const PROVISIONING: readonly ClusterOperation[] = [
  'ensureNamespace',
  'ensureSecrets',
  'installRelease',
  'waitUntilReady',
  'rollbackRelease',
];

export interface Gate {
  /** Resolves when a call reaches the blocked operation. */
  reached: Promise<void>;
  /** Lets the blocked call go on. */
  open(): void;
}

interface OpenableGate extends Gate {
  arrive(): void;
  opened: Promise<void>;
}

type Behaviour =
  | { kind: 'fail'; error: ClusterError; remaining: number; only?: (target: StoreTarget) => boolean }
  | { kind: 'hang'; remaining: number }
  | { kind: 'block'; gate: OpenableGate };

export function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class ScriptedCalls {
  readonly calls: { operation: ClusterOperation; storeId: string }[] = [];
  /** Calls that started while another call for the same store was still running. */
  overlaps = 0;
  /** Most stores that had a provisioning call running at the same moment. */
  maxConcurrentProvisioning = 0;
  stepDelayMs = 0;
  private readonly behaviours = new Map<ClusterOperation, Behaviour>();
  private readonly activeByStore = new Map<string, number>();
  private readonly provisioningStores = new Set<string>();

  failOn(
    operation: ClusterOperation,
    error: ClusterError,
    times = Number.POSITIVE_INFINITY,
    only?: (target: StoreTarget) => boolean,
  ): void {
    this.behaviours.set(operation, { kind: 'fail', error, remaining: times, ...(only ? { only } : {}) });
  }

  hangOn(operation: ClusterOperation, times = Number.POSITIVE_INFINITY): void {
    this.behaviours.set(operation, { kind: 'hang', remaining: times });
  }

  blockOn(operation: ClusterOperation): Gate {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    const gate: OpenableGate = { reached: reachedPromise, open, arrive: reached, opened };
    this.behaviours.set(operation, { kind: 'block', gate });
    return gate;
  }

  clearBehaviour(operation: ClusterOperation): void {
    this.behaviours.delete(operation);
  }

  /** Records the call, acts out the operation's scripted behaviour, then has `effect` happen. */
  async run<T>(
    operation: ClusterOperation,
    target: StoreTarget,
    signal: AbortSignal,
    effect: () => T,
  ): Promise<T> {
    this.calls.push({ operation, storeId: target.storeId });
    const active = this.activeByStore.get(target.storeId) ?? 0;
    if (active > 0) this.overlaps++;
    this.activeByStore.set(target.storeId, active + 1);
    const provisioning = PROVISIONING.includes(operation);
    if (provisioning) {
      this.provisioningStores.add(target.storeId);
      this.maxConcurrentProvisioning = Math.max(this.maxConcurrentProvisioning, this.provisioningStores.size);
    }
    try {
      if (this.stepDelayMs > 0) {
        await Promise.race([
          new Promise((resolve) => setTimeout(resolve, this.stepDelayMs)),
          abortable(signal),
        ]);
      }
      const behaviour = this.behaviours.get(operation);
      if (behaviour?.kind === 'fail' && behaviour.remaining > 0 && (behaviour.only?.(target) ?? true)) {
        behaviour.remaining--;
        throw behaviour.error;
      }
      if (behaviour?.kind === 'hang' && behaviour.remaining > 0) {
        behaviour.remaining--;
        await abortable(signal);
      }
      if (behaviour?.kind === 'block') {
        behaviour.gate.arrive();
        await Promise.race([behaviour.gate.opened, abortable(signal)]);
      }
      signal.throwIfAborted();
      return effect();
    } finally {
      this.activeByStore.set(target.storeId, (this.activeByStore.get(target.storeId) ?? 1) - 1);
      if (provisioning) this.provisioningStores.delete(target.storeId);
    }
  }
}
