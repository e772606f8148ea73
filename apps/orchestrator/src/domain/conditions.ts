// Kubernetes-style conditions: one entry per type; lastTransitionTime moves only when the status does.
import type { Condition, ConditionStatus, ConditionType } from '@storefleet/contracts';
import { CONDITION_TYPES, PROVISION_CONDITIONS } from '@storefleet/contracts';

export interface ConditionUpdate {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function setCondition(
  conditions: readonly Condition[],
  update: ConditionUpdate,
  now: Date,
): Condition[] {
  const previous = conditions.find((c) => c.type === update.type);
  const lastTransitionTime =
    previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString();
  const next: Condition = { ...update, lastTransitionTime };
  const others = conditions.filter((c) => c.type !== update.type);
  return [...others, next].sort((a, b) => CONDITION_TYPES.indexOf(a.type) - CONDITION_TYPES.indexOf(b.type));
}

/** The conditions provisioning makes true; the other operations add theirs when they run. */
export function initialConditions(now: Date): Condition[] {
  return PROVISION_CONDITIONS.map((type) => ({
    type,
    status: 'Unknown' as const,
    reason: 'Pending',
    message: 'Waiting for provisioning to start.',
    lastTransitionTime: now.toISOString(),
  }));
}

/** Whether every condition of a provisioned store is True (its health; operations add others). */
export function allConditionsTrue(conditions: readonly Condition[]): boolean {
  return PROVISION_CONDITIONS.every((type) => conditions.some((c) => c.type === type && c.status === 'True'));
}
