// Every engine the platform offers, and whether this cluster can run each one. The built-in engines
// are the folders beside this file; more are loaded from folders named in ENGINE_MODULES (each an
// index.ts whose default export is an EngineModule), so an engine is one folder and one chart.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Engine, EngineAvailability } from '@storefleet/contracts';
import { AppError } from '../errors.ts';
import type { EngineModule, Placement } from './engine.ts';
import { medusa } from './medusa/index.ts';
import { woocommerce } from './woocommerce/index.ts';

const ENGINE_MODULES = new Map<Engine, EngineModule>([
  [woocommerce.name, woocommerce],
  [medusa.name, medusa],
]);

/** Every engine this platform offers, built-in ones first. */
export function engineModules(): EngineModule[] {
  return [...ENGINE_MODULES.values()];
}

export function isKnownEngine(engine: string): boolean {
  return ENGINE_MODULES.has(engine);
}

export function engineModule(engine: Engine): EngineModule {
  const module = ENGINE_MODULES.get(engine);
  if (!module) {
    throw new AppError(
      'ENGINE_UNKNOWN',
      `There is no engine "${engine}" here; the engines are ${[...ENGINE_MODULES.keys()].join(', ')} (GET /api/platform).`,
      'validation',
    );
  }
  return module;
}

/** Loads the engine folders named in ENGINE_MODULES; a folder that is no engine stops the start. */
export async function loadEngineModules(folders: readonly string[]): Promise<EngineModule[]> {
  const loaded: EngineModule[] = [];
  for (const folder of folders) {
    const url = pathToFileURL(resolve(folder, 'index.ts')).href;
    const module = ((await import(url)) as { default?: EngineModule }).default;
    if (!module?.name || typeof module.values !== 'function' || !module.chart) {
      throw new Error(`${folder}/index.ts does not default-export an engine module (name, chart, values, …)`);
    }
    ENGINE_MODULES.set(module.name, module);
    loaded.push(module);
  }
  return loaded;
}

/** The engine as GET /api/platform describes it, with whether this cluster can run it. */
export function describeEngine(
  module: EngineModule,
  availability: Pick<EngineAvailability, 'available' | 'pods' | 'reason'>,
): EngineAvailability {
  return {
    engine: module.name,
    displayName: module.displayName,
    login: module.login,
    adminPath: module.adminPath,
    backupParts: module.backup.files ? ['database', 'files'] : ['database'],
    ...availability,
  };
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
        availability: describeEngine(module, { available: true, pods: 'real', reason: null }),
        placement: { kind: 'node', label: realNode.label },
      };
    return {
      availability: describeEngine(module, {
        available: false,
        pods: 'real',
        reason: `${engine} cannot run on this cluster: node ${realNode.name} lacks ${missing.join(', ')}; ${module.images.whyMissing}.`,
      }),
      placement: anywhere,
    };
  }
  return {
    availability: describeEngine(module, {
      available: true,
      pods: nodes.simulated ? 'simulated' : 'real',
      reason: null,
    }),
    placement: anywhere,
  };
}
