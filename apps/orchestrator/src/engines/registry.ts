// Every engine the platform offers, and whether this cluster can run each one.
import type { Engine, EngineAvailability } from '@storefleet/contracts';
import type { EngineModule, Placement } from './engine.ts';
import { medusa } from './medusa/index.ts';
import { woocommerce } from './woocommerce/index.ts';

export const ENGINE_MODULES: Record<Engine, EngineModule> = { woocommerce, medusa };

export function engineModule(engine: Engine): EngineModule {
  return ENGINE_MODULES[engine];
}

/** The local cluster's real node as the orchestrator found it. */
export interface RealNode {
  name: string;
  label: { key: string; value: string };
  /** Image references the kubelet reports on the node. */
  images: readonly string[];
}

export interface ClusterNodes {
  /** Only KWOK's simulated nodes take stores (besides a real node, which takes only what asks). */
  simulated: boolean;
  realNode: RealNode | undefined;
}

/** `auto`: an engine whose images are on the real node runs there; `simulated`: stores stay simulated. */
export type PlacementPolicy = 'auto' | 'simulated';

export interface EngineDecision {
  availability: EngineAvailability;
  placement: Placement;
}

/**
 * Where one engine's stores run on this cluster, or why they cannot. On the local cluster with a real
 * node, an engine runs there when the node holds its images; without them it is unavailable unless
 * the policy keeps stores on the simulated nodes (fast tests).
 */
export function decideEngine(
  module: EngineModule,
  nodes: ClusterNodes,
  policy: PlacementPolicy,
): EngineDecision {
  const engine = module.name;
  const anywhere: Placement = { kind: 'anywhere' };
  const { realNode } = nodes;
  if (realNode && policy === 'auto') {
    const missing = module.images.refs.filter((ref) => !realNode.images.includes(ref));
    if (missing.length === 0)
      return {
        availability: { engine, available: true, pods: 'real', reason: null },
        placement: { kind: 'node', label: realNode.label },
      };
    return {
      availability: {
        engine,
        available: false,
        pods: 'real',
        reason: `${engine} cannot run on this cluster: node ${realNode.name} lacks ${missing.join(', ')}; ${module.images.whyMissing}.`,
      },
      placement: anywhere,
    };
  }
  return {
    availability: { engine, available: true, pods: nodes.simulated ? 'simulated' : 'real', reason: null },
    placement: anywhere,
  };
}
