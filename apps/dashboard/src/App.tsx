import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiRequestError, isSignedOut } from './api/client.ts';
import { sessionKey, useSession } from './api/session.ts';
import { Layout } from './components/Layout.tsx';
import { LoadError, Loading } from './components/states.tsx';
import { LiveUpdates } from './live/LiveUpdates.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { MailboxPage } from './pages/MailboxPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PlatformPage } from './pages/PlatformPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { StoreDetailPage } from './pages/StoreDetailPage.tsx';
import { StoresPage } from './pages/StoresPage.tsx';
import { matchRoute, Router, useRouter } from './router/router.tsx';

export function createQueryClient(): QueryClient {
  // A session that ended (expired, signed out elsewhere) shows the sign-in page again.
  const onError = (error: unknown) => {
    if (isSignedOut(error)) client.setQueryData(sessionKey, null);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // The event stream keeps the cache fresh; no refetch just because a window regained focus.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // A 4xx will answer the same the next time.
        retry: (failures, error) =>
          !(error instanceof ApiRequestError && error.status >= 400 && error.status < 500) && failures < 2,
      },
    },
  });
  return client;
}

export function Pages() {
  const { path } = useRouter();
  const route = matchRoute(path);
  switch (route.page) {
    case 'stores':
      return <StoresPage />;
    case 'store':
      return <StoreDetailPage key={route.id} id={route.id} />;
    case 'platform':
      return <PlatformPage />;
    case 'account':
      return <AccountPage />;
    case 'audit':
      return <AuditPage />;
    case 'mailbox':
      return <MailboxPage />;
    default:
      return <NotFoundPage />;
  }
}

function SessionGate() {
  const session = useSession();
  if (session.isPending)
    return (
      <Layout>
        <Loading what="your session" />
      </Layout>
    );
  if (session.isError)
    return (
      <Layout>
        <LoadError what="your session" error={session.error} onRetry={() => session.refetch()} />
      </Layout>
    );
  if (!session.data)
    return (
      <Layout>
        <SignInPage />
      </Layout>
    );
  return (
    // A new user gets a new event stream: the server filters events by who asks.
    <LiveUpdates key={session.data.user.id}>
      <Layout session={session.data}>
        <Pages />
      </Layout>
    </LiveUpdates>
  );
}

export function App() {
  const [client] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client}>
      <Router>
        <SessionGate />
      </Router>
    </QueryClientProvider>
  );
}
