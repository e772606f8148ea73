// An engine's name as people know it, from the platform's engine descriptors.
import { useEngineName } from '../../api/engines.ts';

export function EngineName({ engine }: { engine: string }) {
  return <>{useEngineName(engine)}</>;
}
