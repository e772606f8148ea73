import { createContext, useContext } from 'react';

/** `live`: the event stream is open. `down`: it is not, and queries poll until it is back. */
export type LiveStatus = 'connecting' | 'live' | 'down';

export const LiveStatusContext = createContext<LiveStatus>('connecting');

export const useLiveStatus = () => useContext(LiveStatusContext);
