// Who is signed in. The session query answers null when no one is; any "sign in first" answer from
// the API (a session that expired) resets it to null, which brings the sign-in page back.
import type { Credentials, SessionInfo } from '@storefleet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';

export const sessionKey = ['session'] as const;

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: api.session, staleTime: Number.POSITIVE_INFINITY });
}

/** The signed-in session; only for components rendered behind the session gate. */
export function useSignedIn(): SessionInfo {
  const { data } = useSession();
  if (!data) throw new Error('useSignedIn needs a signed-in session');
  return data;
}

export function useSignIn(mode: 'signin' | 'signup') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: Credentials) =>
      mode === 'signin' ? api.signIn(credentials) : api.signUp(credentials),
    onSuccess: (session) => {
      // Nothing cached for someone else may show for this user.
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
      client.setQueryData(sessionKey, session);
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.signOut,
    onSettled: () => {
      client.clear();
      client.setQueryData(sessionKey, null);
    },
  });
}
