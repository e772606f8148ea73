// The engines as the platform describes them (GET /api/platform): names, login styles, availability.
import type { EngineAvailability } from '@storefleet/contracts';
import { usePlatform } from './queries.ts';

/** An engine's name as people know it (the platform's descriptor); its id while that loads. */
export function useEngineName(engine: string): string {
  return useEngine(engine)?.displayName ?? engine;
}

/** An engine as the platform describes it (display name, login style, …); undefined while loading. */
export function useEngine(engine: string): EngineAvailability | undefined {
  return usePlatform().data?.engines.find((candidate) => candidate.engine === engine);
}
