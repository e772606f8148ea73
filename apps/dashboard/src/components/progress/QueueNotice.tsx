// Where a queued store stands: its place in line, how many stores are being set up, and about how
// long until its own set-up starts.
import type { QueuePosition, Store } from '@storefleet/contracts';
import { useQueuePosition } from '../../api/queue.ts';
import { formatDuration } from '../../lib/format.ts';
import { Notice } from '../ui.tsx';

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
};

export function queueWords(position: QueuePosition): string {
  if (!position.waiting || position.position === null) return 'Starting now.';
  const line = `${ordinal(position.position)} in line; ${position.running} of ${position.slots} set-up slots busy.`;
  if (position.expectedWaitSeconds === null)
    return `${line} No store has finished yet, so the wait cannot be told.`;
  if (position.expectedWaitSeconds === 0) return `${line} It starts in a moment.`;
  return `${line} It starts in about ${formatDuration(position.expectedWaitSeconds * 1000)}.`;
}

export function QueueNotice({ store }: { store: Store }) {
  const position = useQueuePosition(store);
  if (store.state !== 'Queued' || !position.data) return null;
  return (
    <Notice tone="info" role="status">
      <span data-queue-position={position.data.position ?? ''}>{queueWords(position.data)}</span>
    </Notice>
  );
}
