// An engine's name as people know it, from the platform's engine descriptors.
import { useEngineName } from '../../api/queries.ts';

export function EngineName({ engine }: { engine: string }) {
  return <>{useEngineName(engine)}</>;
}
