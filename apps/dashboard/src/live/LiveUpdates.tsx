import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { connectLiveUpdates } from './events.ts';
import { type LiveStatus, LiveStatusContext } from './status.ts';

export function LiveUpdates({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => connectLiveUpdates(client, { onStatus: setStatus }), [client]);
  return <LiveStatusContext value={status}>{children}</LiveStatusContext>;
}
