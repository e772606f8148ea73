// How long a store waits for a free provisioning slot: the jobs ahead of it start as slots free up,
// each slot taking about as long as a typical provisioning.

export interface QueueStanding {
  /** Jobs that hold a slot now. */
  running: number;
  /** Waiting jobs that start before this one. */
  ahead: number;
  /** MAX_CONCURRENT_PROVISIONS. */
  slots: number;
}

/**
 * Seconds until this store's job starts, or null when there is nothing to go by. A free slot means
 * "now"; otherwise every full round of `slots` jobs before it takes one typical provisioning.
 */
export function expectedWaitSeconds(standing: QueueStanding, typicalSeconds: number | null): number | null {
  const before = standing.running + standing.ahead;
  if (before < standing.slots) return 0;
  if (typicalSeconds === null) return null;
  const rounds = Math.floor((before - standing.slots) / standing.slots) + 1;
  return Math.round(rounds * typicalSeconds);
}
