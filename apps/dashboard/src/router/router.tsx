// A small client-side router on the History API: a handful of pages do not need a routing library.
// The orchestrator answers every non-API path with index.html, so deep links work.
import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';

interface RouterValue {
  path: string;
  navigate: (to: string) => void;
  /** How many in-app navigations happened; pages move focus to their heading after one. */
  navigations: number;
}

const RouterContext = createContext<RouterValue>({ path: '/', navigate: () => {}, navigations: 0 });

export function Router({ children, initialPath }: { children: ReactNode; initialPath?: string }) {
  const [path, setPath] = useState(() => initialPath ?? window.location.pathname);
  const [navigations, setNavigations] = useState(0);
  useEffect(() => {
    const onPop = () => {
      setPath(window.location.pathname);
      setNavigations((n) => n + 1);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, '', to);
    setPath(to);
    setNavigations((n) => n + 1);
    window.scrollTo?.(0, 0);
  }, []);
  const value = useMemo(() => ({ path, navigate, navigations }), [path, navigate, navigations]);
  return <RouterContext value={value}>{children}</RouterContext>;
}

export const useRouter = () => useContext(RouterContext);

export type Route =
  | { page: 'stores' }
  | { page: 'store'; id: string }
  | { page: 'platform' }
  | { page: 'account' }
  | { page: 'audit' }
  | { page: 'mailbox' }
  | { page: 'notFound' };

export function matchRoute(path: string): Route {
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/') return { page: 'stores' };
  if (trimmed === '/platform') return { page: 'platform' };
  if (trimmed === '/account') return { page: 'account' };
  if (trimmed === '/audit') return { page: 'audit' };
  if (trimmed === '/mailbox') return { page: 'mailbox' };
  const store = /^\/stores\/([^/]+)$/.exec(trimmed);
  if (store?.[1]) return { page: 'store', id: decodeURIComponent(store[1]) };
  return { page: 'notFound' };
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0;
    if (event.defaultPrevented || modified) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
