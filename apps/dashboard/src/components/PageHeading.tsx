import { type ReactNode, useEffect, useRef } from 'react';
import { useRouter } from '../router/router.tsx';

/** The page's h1; after an in-app navigation it takes focus so screen readers announce the new page. */
export function PageHeading({ children, aside }: { children: ReactNode; aside?: ReactNode }) {
  const { navigations } = useRouter();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigations > 0) ref.current?.focus();
  }, [navigations]);
  return (
    <div className="mb-5 flex flex-wrap items-center justify-between gap-3">
      <h1 ref={ref} tabIndex={-1} className="text-2xl font-bold tracking-tight text-slate-900 outline-none">
        {children}
      </h1>
      {aside}
    </div>
  );
}
