import type { SessionInfo } from '@storefleet/contracts';
import type { ReactNode } from 'react';
import { usePlatform } from '../api/queries.ts';
import { useSignOut } from '../api/session.ts';
import { useLiveStatus } from '../live/status.ts';
import { Link, useRouter } from '../router/router.tsx';
import { ClusterBanner } from './ClusterBanner.tsx';

const NAV = [
  { to: '/', label: 'Stores', adminOnly: false, needsMailbox: false },
  { to: '/platform', label: 'Platform', adminOnly: false, needsMailbox: false },
  { to: '/mailbox', label: 'Mailbox', adminOnly: false, needsMailbox: true },
  { to: '/audit', label: 'Audit', adminOnly: true, needsMailbox: false },
];

function LiveIndicator() {
  const status = useLiveStatus();
  const words = {
    live: 'Live',
    connecting: 'Connecting…',
    down: 'Reconnecting (refreshing every few seconds)',
  }[status];
  const dot = { live: 'bg-emerald-500', connecting: 'bg-slate-400', down: 'bg-amber-500' }[status];
  return (
    <span role="status" className="flex items-center gap-1.5 text-xs text-slate-300" title="Live updates">
      <span aria-hidden="true" className={`size-2 rounded-full ${dot}`} />
      <span>
        <span className="sr-only">Live updates: </span>
        {words}
      </span>
    </span>
  );
}

function Account({ session }: { session: SessionInfo }) {
  const signOut = useSignOut();
  const { path } = useRouter();
  return (
    <div className="flex items-center gap-3 text-sm">
      <Link
        to="/account"
        aria-current={path === '/account' ? 'page' : undefined}
        title={session.user.email}
        className="flex min-w-0 items-center rounded px-2 py-1 text-slate-300 hover:bg-slate-800 hover:text-white aria-[current=page]:bg-slate-700 aria-[current=page]:text-white"
      >
        <span className="max-w-48 truncate">{session.user.email}</span>
        {session.user.role === 'admin' ? (
          <span className="ml-1 shrink-0 text-xs text-amber-300">(admin)</span>
        ) : null}
      </Link>
      <button
        type="button"
        onClick={() => signOut.mutate()}
        className="rounded px-2 py-1 font-medium text-slate-200 hover:bg-slate-800 hover:text-white"
      >
        Sign out
      </button>
    </div>
  );
}

/** The page frame; navigation, live status and the account appear once someone is signed in. */
export function Layout({ children, session }: { children: ReactNode; session?: SessionInfo }) {
  const { path } = useRouter();
  const mailbox = usePlatform().data?.mail.catcher === true;
  const current = (to: string) =>
    to === '/' ? path === '/' || path.startsWith('/stores') : path.startsWith(to);
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link to="/" className="text-lg font-bold tracking-tight">
            Storefleet
          </Link>
          {session ? (
            <>
              <nav aria-label="Main" className="flex gap-1">
                {NAV.filter(
                  (item) =>
                    (!item.adminOnly || session.user.role === 'admin') && (!item.needsMailbox || mailbox),
                ).map((item) => (
                  <Link
                    key={item.to}
                    to={item.to}
                    aria-current={current(item.to) ? 'page' : undefined}
                    className="rounded px-3 py-1.5 text-sm font-medium text-slate-300 hover:bg-slate-800 hover:text-white aria-[current=page]:bg-slate-700 aria-[current=page]:text-white"
                  >
                    {item.label}
                  </Link>
                ))}
              </nav>
              <div className="ml-auto flex flex-wrap items-center gap-x-4 gap-y-1">
                <LiveIndicator />
                <Account session={session} />
              </div>
            </>
          ) : null}
        </div>
      </header>
      <ClusterBanner />
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
