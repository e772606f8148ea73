// A tiny router on the History API. The location is an external store (pushState and popstate), read
// with useSyncExternalStore; after an in-app navigation the next page heading to appear takes focus, so
// screen readers announce the new page.
import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
  useEffect,
  useRef,
  useSyncExternalStore,
} from 'react';

const listeners = new Set<() => void>();
let focusHeadingOnMount = false;
let siteName = '';

/** The store's name, shown after each page's title in the browser tab. */
export function setSiteName(name: string) {
  siteName = name;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onPop = () => {
    focusHeadingOnMount = true;
    listener();
  };
  window.addEventListener('popstate', onPop);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', onPop);
  };
}

export const usePath = () => useSyncExternalStore(subscribe, () => window.location.pathname);

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, '', to);
  else if (to !== window.location.pathname) window.history.pushState(null, '', to);
  focusHeadingOnMount = true;
  window.scrollTo?.(0, 0);
  for (const listener of listeners) listener();
}

export type Route =
  | { page: 'home' }
  | { page: 'product'; handle: string }
  | { page: 'cart' }
  | { page: 'checkout' }
  | { page: 'confirmed'; orderId: string }
  | { page: 'notFound' };

export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { page: 'home' };
  if (clean === '/cart') return { page: 'cart' };
  if (clean === '/checkout') return { page: 'checkout' };
  const segment = (pattern: RegExp) => {
    const found = pattern.exec(clean)?.[1];
    if (!found) return undefined;
    try {
      return decodeURIComponent(found);
    } catch {
      return undefined;
    }
  };
  const handle = segment(/^\/products\/([^/]+)$/);
  if (handle) return { page: 'product', handle };
  const orderId = segment(/^\/order\/confirmed\/([^/]+)$/);
  if (orderId) return { page: 'confirmed', orderId };
  return { page: 'notFound' };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...rest} />;
}

/** The page's h1; it takes focus when it is the first heading shown after a navigation. */
export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = siteName && title !== siteName ? `${title} · ${siteName}` : title;
    if (focusHeadingOnMount) {
      focusHeadingOnMount = false;
      ref.current?.focus();
    }
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
